#include "forecast/quantile.hpp"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>

namespace levain::forecast {
namespace {

constexpr double kZ80 = 1.2815515655446004;

double standard_normal_quantile(double level) {
  static const boost::math::normal_distribution<double> kStandard;
  return boost::math::quantile(kStandard, level);
}

}  // namespace

double forecast_quantile(const FitReport& report, const ForecastPoint& point, double level) {
  level = std::isnan(level) ? 0.5 : std::clamp(level, 1e-9, 1 - 1e-9);
  const double cap = std::isfinite(report.cap) && report.cap > 0 ? report.cap : INFINITY;
  double value = 0;
  if (std::isfinite(point.z) && std::isfinite(point.sigma)) {
    const double z =
        point.z + standardized_quantile(report.residual_shape, level) * std::max(0.0, point.sigma);
    value = report.log_scale ? std::exp(z) - report.offset : z;
  } else {
    // A model stored before the distribution was kept: a normal through its 80% interval.
    const double sigma = std::max(0.0, (point.upper - point.lower) / (2 * kZ80));
    value = point.yhat + standard_normal_quantile(level) * sigma;
  }
  if (!std::isfinite(value)) value = value > 0 ? cap : 0;
  return std::clamp(value, 0.0, cap);
}

double standardized_quantile(const std::vector<double>& shape, double level) {
  level = std::isnan(level) ? 0.5 : std::clamp(level, 1e-9, 1 - 1e-9);
  if (shape.empty()) return standard_normal_quantile(level);
  const auto n = static_cast<double>(shape.size());
  const double first = 0.5 / n;
  const double last = 1 - first;
  if (level <= first) {
    return shape.front() + standard_normal_quantile(level) - standard_normal_quantile(first);
  }
  if (level >= last) {
    return shape.back() + standard_normal_quantile(level) - standard_normal_quantile(last);
  }
  const double at = level * n - 0.5;
  const auto i = static_cast<std::size_t>(at);
  const double frac = at - static_cast<double>(i);
  return shape[i] + frac * (shape[std::min(i + 1, shape.size() - 1)] - shape[i]);
}

}  // namespace levain::forecast
