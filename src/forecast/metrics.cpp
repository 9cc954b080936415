#include "forecast/metrics.hpp"

#include <algorithm>
#include <cmath>

namespace levain::forecast {

Accuracy evaluate(std::span<const double> actual, std::span<const double> predicted,
                  double naive_scale) {
  Accuracy acc;
  const std::size_t n = std::min(actual.size(), predicted.size());
  double abs_sum = 0;
  double sq_sum = 0;
  double ape_sum = 0;
  double sape_sum = 0;
  std::size_t count = 0;
  std::size_t nonzero = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double a = actual[i];
    const double p = predicted[i];
    if (!std::isfinite(a) || !std::isfinite(p)) continue;
    const double err = std::abs(a - p);
    abs_sum += err;
    sq_sum += err * err;
    const double denom = std::abs(a) + std::abs(p);
    if (denom > 0) sape_sum += 2 * err / denom;
    if (a != 0) {
      ape_sum += err / std::abs(a);
      ++nonzero;
    }
    ++count;
  }
  if (count == 0) return acc;
  const auto c = static_cast<double>(count);
  acc.mae = abs_sum / c;
  acc.rmse = std::sqrt(sq_sum / c);
  acc.smape = 100 * sape_sum / c;
  if (nonzero > 0) acc.mape = 100 * ape_sum / static_cast<double>(nonzero);
  if (std::isfinite(naive_scale) && naive_scale > 0) acc.mase = acc.mae / naive_scale;
  return acc;
}

double seasonal_naive_scale(std::span<const double> history, int lag) {
  if (lag < 1) return kNaN;
  const auto l = static_cast<std::size_t>(lag);
  double sum = 0;
  std::size_t count = 0;
  for (std::size_t t = l; t < history.size(); ++t) {
    const double a = history[t];
    const double b = history[t - l];
    if (!std::isfinite(a) || !std::isfinite(b)) continue;
    sum += std::abs(a - b);
    ++count;
  }
  return count == 0 ? kNaN : sum / static_cast<double>(count);
}

}  // namespace levain::forecast
