#pragma once
/// Quantiles of a stored forecast day, read from the fit that training kept (nothing is
/// refitted): the day's predictive distribution on the model's response scale, mapped to units
/// and clamped to [0, cap]. Monotone in the level and never negative.

#include "forecast/types.hpp"

namespace levain::forecast {

/// The `level` quantile (0 < level < 1) of `point`'s demand under `report`'s model.
double forecast_quantile(const FitReport& report, const ForecastPoint& point, double level);

}  // namespace levain::forecast
