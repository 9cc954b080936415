#include "forecast/censor_check.hpp"

#include <algorithm>
#include <cmath>
#include <span>

#include "forecast/model.hpp"
#include "forecast/series.hpp"

namespace levain::forecast {
namespace {

// The `q` quantile of the observed values (linear between order statistics); NaN if none.
double quantile_of(std::span<const double> y, double q) {
  std::vector<double> v;
  for (const double x : y) {
    if (std::isfinite(x)) v.push_back(x);
  }
  if (v.empty()) return kNaN;
  std::sort(v.begin(), v.end());
  const double at = q * static_cast<double>(v.size() - 1);
  const auto i = static_cast<std::size_t>(at);
  const double frac = at - static_cast<double>(i);
  return v[i] + frac * (v[std::min(i + 1, v.size() - 1)] - v[i]);
}

void score(CensorSide& side, const FitReport& report, Date origin, std::span<const double> truth) {
  for (const auto& p : report.forecast) {
    const auto k = (p.date - origin).count();
    if (k < 0 || k >= static_cast<long>(truth.size()) || !std::isfinite(truth[k])) continue;
    side.error_sum += p.yhat - truth[k];
    side.abs_error_sum += std::abs(p.yhat - truth[k]);
    ++side.days;
  }
}

CensorProduct check_product(const Series& s, const CensorCheckOptions& o) {
  CensorProduct out;
  out.product = s.product;
  const int n = static_cast<int>(s.y.size());
  const int last_origin = n - o.horizon;
  const std::span<const double> y(s.y);
  if (last_origin < 1) {
    out.skipped = "history shorter than the horizon";
    return out;
  }
  // One fixed bake for the whole history, from what the fits may see: the days before the
  // last origin. A whole number of loaves, as a bakery bakes.
  out.bake =
      std::round(quantile_of(y.first(static_cast<std::size_t>(last_origin)), o.bake_quantile));
  if (!std::isfinite(out.bake) || out.bake <= 0) {
    out.skipped = "no positive sales before the last origin";
    out.bake = kNaN;
    return out;
  }
  Series flagged = s;
  flagged.sold_out.assign(s.y.size(), 0);
  for (int d = 0; d < n; ++d) {
    if (!std::isfinite(s.y[d]) || s.y[d] < out.bake) continue;
    flagged.y[d] = out.bake;
    flagged.sold_out[d] = 1;
    if (d < last_origin) ++out.sold_out_days;
  }
  for (int d = 0; d < last_origin; ++d) out.history_days += std::isfinite(s.y[d]) ? 1 : 0;
  Series ignored = flagged;
  ignored.sold_out.clear();

  for (int k = o.origins - 1; k >= 0; --k) {
    const int origin = last_origin - k * o.spacing;
    if (origin < 1) continue;
    const int first = std::max(0, origin - o.train_days);
    const auto count = static_cast<std::size_t>(origin - first);
    const auto truth =
        y.subspan(static_cast<std::size_t>(origin), static_cast<std::size_t>(o.horizon));
    for (const double v : truth) out.demand_sum += std::isfinite(v) ? v : 0;
    const Date origin_date = s.start + std::chrono::days{origin};
    // Enough days to reach the horizon's end when the window ends in a gap.
    const ModelOptions model{.horizon_days = o.horizon + o.spacing,
                             .holdout_days = o.holdout_days,
                             .holidays = o.holidays,
                             .extra_holidays = o.extra_holidays};
    for (auto [input, side] : {std::pair<const Series*, CensorSide*>{&flagged, &out.with_flag},
                               std::pair<const Series*, CensorSide*>{&ignored, &out.without_flag},
                               std::pair<const Series*, CensorSide*>{&s, &out.uncapped}}) {
      score(*side,
            fit_and_forecast(slice_series(*input, static_cast<std::size_t>(first), count), model),
            origin_date, truth);
    }
  }
  if (out.with_flag.days == 0) out.skipped = "no origin with observed days after it";
  return out;
}

}  // namespace

double CensorSide::bias() const { return days > 0 ? error_sum / static_cast<double>(days) : kNaN; }

double CensorSide::mae() const {
  return days > 0 ? abs_error_sum / static_cast<double>(days) : kNaN;
}

void CensorSide::add(const CensorSide& other) {
  error_sum += other.error_sum;
  abs_error_sum += other.abs_error_sum;
  days += other.days;
}

CensorCheckResult run_censor_check(const std::vector<Series>& series,
                                   const CensorCheckOptions& options) {
  CensorCheckResult result;
  result.options = options;
  result.options.on_product = nullptr;
  auto& o = result.options;
  o.horizon = std::clamp(o.horizon, 1, 366);
  o.origins = std::clamp(o.origins, 1, 100);
  o.spacing = std::clamp(o.spacing, 1, 366);
  o.train_days = std::max(o.train_days, 7);
  o.bake_quantile = std::isfinite(o.bake_quantile) ? std::clamp(o.bake_quantile, 0.05, 0.95) : 0.7;
  for (std::size_t i = 0; i < series.size(); ++i) {
    result.products.push_back(check_product(series[i], o));
    const CensorProduct& p = result.products.back();
    result.with_flag.add(p.with_flag);
    result.without_flag.add(p.without_flag);
    result.uncapped.add(p.uncapped);
    result.demand_sum += p.demand_sum;
    result.sold_out_days += p.sold_out_days;
    result.history_days += p.history_days;
    if (options.on_product) options.on_product(i + 1, series.size(), series[i].product);
  }
  return result;
}

}  // namespace levain::forecast
