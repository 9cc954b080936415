#include "training/store/forecast_log.hpp"

#include <algorithm>
#include <cmath>

namespace levain::training::forecast_log {

std::vector<Row> rows_of(const forecast::FitReport& report) {
  std::vector<Row> out;
  const auto& points = report.forecast;
  const std::size_t n = std::min<std::size_t>(points.size(), kMaxLead);
  for (std::size_t k = 0; k < n; ++k) {
    const auto& p = points[k];
    if (!std::isfinite(p.yhat) || !std::isfinite(p.lower) || !std::isfinite(p.upper)) continue;
    out.push_back({.day = p.date.time_since_epoch().count(),
                   .lead = static_cast<int>(k) + 1,
                   .yhat = p.yhat,
                   .lower = p.lower,
                   .upper = p.upper});
  }
  return out;
}

}  // namespace levain::training::forecast_log
