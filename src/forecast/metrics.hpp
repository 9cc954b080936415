#pragma once
/// Hold-out accuracy metrics. Pairs whose actual or predicted value is missing (NaN) are left
/// out; a metric with nothing to average (or a zero scale) is NaN, written as JSON null.

#include <span>

#include "forecast/types.hpp"

namespace levain::forecast {

/// MAE, RMSE, MAPE (percent, non-zero actual days only), sMAPE (percent; a day where both are 0
/// counts as 0), MASE = MAE / naive_scale.
Accuracy evaluate(std::span<const double> actual, std::span<const double> predicted,
                  double naive_scale);

/// In-sample MAE of the lag-`lag` naive forecast (y[t] predicted by y[t-lag]) over the pairs
/// where both values are known; NaN when there is no such pair or lag < 1.
double seasonal_naive_scale(std::span<const double> history, int lag = 7);

}  // namespace levain::forecast
