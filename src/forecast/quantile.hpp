#pragma once
/// Quantiles of a stored forecast day, read from the fit that training kept (nothing is
/// refitted): the day's predictive distribution on the model's response scale, mapped to units
/// and clamped to [0, cap]. Monotone in the level and never negative.

#include "forecast/types.hpp"

namespace levain::forecast {

/// The `level` quantile (0 < level < 1) of `point`'s demand under `report`'s model.
double forecast_quantile(const FitReport& report, const ForecastPoint& point, double level);

/// The `level` quantile of the standardized predictive distribution: of the sorted sample
/// `shape` (FitReport::residual_shape; its i-th of n values at level (i + 0.5) / n, linear
/// between, the normal's tails beyond), or of the standard normal when `shape` is empty.
double standardized_quantile(const std::vector<double>& shape, double level);

}  // namespace levain::forecast
