#include "forecast/backtest.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include "forecast/metrics.hpp"
#include "forecast/model.hpp"
#include "forecast/newsvendor.hpp"
#include "forecast/quantile.hpp"
#include "forecast/seasonal_naive.hpp"
#include "forecast/series.hpp"

namespace levain::forecast {
namespace {

using Clock = std::chrono::steady_clock;

/// Sums of each metric over the origins where it is defined, so one undefined MAPE (an origin
/// with only zero days) does not hide the others.
struct MetricSums {
  double sum[5] = {0, 0, 0, 0, 0};
  int count[5] = {0, 0, 0, 0, 0};
  void add(const Accuracy& a) {
    const double v[5] = {a.mae, a.rmse, a.mape, a.smape, a.mase};
    for (int i = 0; i < 5; ++i) {
      if (std::isfinite(v[i])) {
        sum[i] += v[i];
        ++count[i];
      }
    }
  }
  Accuracy mean() const {
    double m[5];
    for (int i = 0; i < 5; ++i) m[i] = count[i] > 0 ? sum[i] / count[i] : kNaN;
    return {m[0], m[1], m[2], m[3], m[4]};
  }
};

double pinball(double level, double actual, double quantile) {
  return actual >= quantile ? level * (actual - quantile) : (1 - level) * (quantile - actual);
}

struct Accumulator {
  MetricSums metrics;
  double ms = 0;
  bool has_interval = false;
  MethodScore score;

  /// `distribution`: the report whose points these are, to read quantiles from; nullptr for a
  /// method without one.
  void add(std::span<const double> actual, const std::vector<ForecastPoint>& points, double scale,
           double fit_ms, const FitReport* distribution) {
    std::vector<double> yhat(actual.size(), kNaN);
    for (std::size_t k = 0; k < actual.size() && k < points.size(); ++k) {
      yhat[k] = points[k].yhat;
      if (!std::isfinite(actual[k])) continue;
      ++score.days;
      if (has_interval && points[k].lower <= actual[k] && actual[k] <= points[k].upper) {
        ++score.covered;
      }
      if (distribution == nullptr || !std::isfinite(points[k].yhat)) continue;
      for (QuantileScore& q : score.quantiles) {
        const double value = forecast_quantile(*distribution, points[k], q.level);
        const double loss = pinball(q.level, actual[k], value);
        ++q.days;
        if (actual[k] <= value) ++q.at_or_below;
        q.pinball_sum += loss;
        if (scale > 0 && std::isfinite(scale)) q.scaled_pinball_sum += loss / scale;
      }
    }
    score.per_origin.push_back(evaluate(actual, yhat, scale));
    metrics.add(score.per_origin.back());
    ms += fit_ms;
    ++score.origins;
  }

  MethodScore finish() const {
    MethodScore out = score;
    out.mean = metrics.mean();
    out.fit_ms = score.origins > 0 ? ms / score.origins : 0;
    out.coverage = has_interval && score.days > 0
                       ? static_cast<double>(score.covered) / static_cast<double>(score.days)
                       : kNaN;
    return out;
  }
};

double elapsed_ms(Clock::time_point since) {
  return std::chrono::duration<double, std::milli>(Clock::now() - since).count();
}

// Places forecast points on the scored days [origin, origin + horizon): the model forecasts from
// the day after its last observation, which lies before the origin when the window ends in a gap.
std::vector<ForecastPoint> aligned(const std::vector<ForecastPoint>& points, Date origin,
                                   int horizon) {
  std::vector<ForecastPoint> out(
      static_cast<std::size_t>(horizon),
      ForecastPoint{.date = {}, .yhat = kNaN, .lower = kNaN, .upper = kNaN, .parts = {}});
  for (const auto& p : points) {
    const auto k = (p.date - origin).count();
    if (k >= 0 && k < horizon) out[static_cast<std::size_t>(k)] = p;
  }
  return out;
}

int trailing_gap(std::span<const double> y) {
  int gap = 0;
  for (auto it = y.rbegin(); it != y.rend() && !(std::isfinite(*it) && *it >= 0); ++it) ++gap;
  return gap;
}

double median(std::vector<double> v) {
  if (v.empty()) return kNaN;
  std::sort(v.begin(), v.end());
  const std::size_t mid = v.size() / 2;
  return v.size() % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

BacktestOptions clamped(BacktestOptions o) {
  o.horizon = std::clamp(o.horizon, 1, 366);
  o.origins = std::clamp(o.origins, 1, 100);
  o.spacing = std::clamp(o.spacing, 1, 366);
  o.train_days = std::clamp(o.train_days, 1, 20000);
  o.holdout_days = std::clamp(o.holdout_days, 7, 366);
  for (double& level : o.quantiles) level = std::clamp(level, 1e-6, 1 - 1e-6);
  o.cost_share = std::isfinite(o.cost_share) ? std::clamp(o.cost_share, 0.0, 1.0) : 0.35;
  return o;
}

// Bakes `quantity` on a day that sold `actual` at price 1.
void bake(PlanScore& plan, double quantity, double actual, double cost_share) {
  const double sold = std::min(quantity, actual);
  plan.baked += quantity;
  plan.sold += sold;
  plan.wasted += quantity - sold;
  plan.lost += actual - sold;
  plan.profit += sold - cost_share * quantity;
  ++plan.days;
}

// Whole units, at least the forecast (a baker does not bake 41.3 loaves).
double whole_units(double forecast) {
  return std::isfinite(forecast) ? std::max(0.0, std::ceil(forecast - 1e-9)) : 0.0;
}

// Every scored day: Levain bakes its plan (the quantile at the critical ratio), the baselines
// what the same weekday sold last week and the mean of the last 4 same weekdays plus 10%.
void simulate_plan(ProductBacktest& out, std::span<const double> actual, const FitReport& report,
                   const std::vector<ForecastPoint>& levain,
                   const std::vector<ForecastPoint>& naive, const std::vector<ForecastPoint>& mean4,
                   double cost_share) {
  const Economics economics{.unit_cost = cost_share, .price = 1, .min_batch = 0, .batch_size = 1};
  for (std::size_t k = 0; k < actual.size(); ++k) {
    if (!std::isfinite(actual[k]) || !std::isfinite(levain[k].yhat)) continue;
    const auto quantile = [&](double p) { return forecast_quantile(report, levain[k], p); };
    bake(out.plan[0], plan_bake(quantile, economics).quantity, actual[k], cost_share);
    bake(out.plan[1], whole_units(naive[k].yhat), actual[k], cost_share);
    bake(out.plan[2], whole_units(1.1 * mean4[k].yhat), actual[k], cost_share);
  }
}

ProductBacktest backtest_product(const Series& s, const BacktestOptions& o) {
  ProductBacktest out;
  out.product = s.product;
  std::array<Accumulator, kMethodCount> acc;
  acc[static_cast<std::size_t>(Method::kLevain)].has_interval = true;
  acc[static_cast<std::size_t>(Method::kSeasonalNaive)].has_interval = true;
  for (const Method m : {Method::kLevain, Method::kSeasonalNaive}) {
    for (const double level : o.quantiles) {
      acc[static_cast<std::size_t>(m)].score.quantiles.push_back({.level = level});
    }
  }
  const FitReport naive_distribution;  // seasonal naive: z and sigma in units, unbounded above
  const int n = static_cast<int>(s.y.size());
  const std::span<const double> y(s.y);
  for (int k = o.origins - 1; k >= 0; --k) {
    const int origin = n - o.horizon - k * o.spacing;
    if (origin < 1) continue;
    const auto actual =
        y.subspan(static_cast<std::size_t>(origin), static_cast<std::size_t>(o.horizon));
    if (std::none_of(actual.begin(), actual.end(), [](double v) { return std::isfinite(v); })) {
      continue;
    }
    const int first = std::max(0, origin - o.train_days);
    const Series train =
        slice_series(s, static_cast<std::size_t>(first), static_cast<std::size_t>(origin - first));
    if (trailing_gap(train.y) == static_cast<int>(train.y.size())) continue;
    const Date origin_date = s.start + std::chrono::days{origin};
    const double scale = seasonal_naive_scale(train.y);

    auto t0 = Clock::now();
    const ModelOptions model{.horizon_days = o.horizon + trailing_gap(train.y),
                             .holdout_days = o.holdout_days,
                             .holidays = o.holidays,
                             .extra_holidays = o.extra_holidays};
    const FitReport report = fit_and_forecast(train, model);
    const auto levain = aligned(report.forecast, origin_date, o.horizon);
    acc[0].add(actual, levain, scale, elapsed_ms(t0), &report);
    if (report.fallback) ++out.levain_fallbacks;

    t0 = Clock::now();
    const auto naive = seasonal_naive_points(train.y, origin_date, o.horizon);
    acc[1].add(actual, naive, scale, elapsed_ms(t0), &naive_distribution);

    t0 = Clock::now();
    std::vector<ForecastPoint> mean4;
    for (const double v : weekday_mean_forecast(train.y, o.horizon)) {
      mean4.push_back({.date = {}, .yhat = v, .lower = kNaN, .upper = kNaN, .parts = {}});
    }
    acc[2].add(actual, mean4, scale, elapsed_ms(t0), nullptr);
    if (o.plan) simulate_plan(out, actual, report, levain, naive, mean4, o.cost_share);
  }
  for (std::size_t m = 0; m < kMethodCount; ++m) out.methods[m] = acc[m].finish();
  if (out.methods[0].origins == 0) {
    out.skipped = "no origin could be scored: " + std::to_string(n) +
                  " days of history, and each origin needs history before it and an observed "
                  "day in the " +
                  std::to_string(o.horizon) + " days after it";
  }
  return out;
}

double mean(const std::vector<double>& v) {
  return v.empty() ? kNaN
                   : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

AggregateScore aggregate(const std::vector<ProductBacktest>& products, std::size_t m) {
  std::vector<double> mase, mape, smape, product_mase;
  double ms = 0;
  int fits = 0;
  std::size_t days = 0, covered = 0;
  bool interval = false;
  for (const auto& p : products) {
    const MethodScore& s = p.methods[m];
    for (const Accuracy& a : s.per_origin) {
      if (std::isfinite(a.mase)) mase.push_back(a.mase);
      if (std::isfinite(a.mape)) mape.push_back(a.mape);
      if (std::isfinite(a.smape)) smape.push_back(a.smape);
    }
    if (std::isfinite(s.mean.mase)) product_mase.push_back(s.mean.mase);
    ms += s.fit_ms * s.origins;
    fits += s.origins;
    days += s.days;
    covered += s.covered;
    interval = interval || std::isfinite(s.coverage);
  }
  AggregateScore a;
  for (const auto& p : products) {
    const auto& q = p.methods[m].quantiles;
    if (a.quantiles.empty()) {
      for (const auto& level : q) a.quantiles.push_back({.level = level.level});
    }
    for (std::size_t i = 0; i < q.size() && i < a.quantiles.size(); ++i) a.quantiles[i].add(q[i]);
  }
  a.products = static_cast<int>(product_mase.size());
  a.pairs = static_cast<int>(mase.size());
  a.mean_mase = mean(mase);
  a.median_mase = median(mase);
  a.median_product_mase = median(product_mase);
  a.mean_mape = mean(mape);
  a.median_mape = median(mape);
  a.mean_smape = mean(smape);
  if (fits > 0) a.fit_ms = ms / fits;
  if (interval && days > 0) a.coverage = static_cast<double>(covered) / static_cast<double>(days);
  return a;
}

}  // namespace

double QuantileScore::share() const {
  return days > 0 ? static_cast<double>(at_or_below) / static_cast<double>(days) : kNaN;
}

double QuantileScore::pinball() const {
  return days > 0 ? pinball_sum / static_cast<double>(days) : kNaN;
}

double QuantileScore::scaled_pinball() const {
  return days > 0 ? scaled_pinball_sum / static_cast<double>(days) : kNaN;
}

void QuantileScore::add(const QuantileScore& other) {
  days += other.days;
  at_or_below += other.at_or_below;
  pinball_sum += other.pinball_sum;
  scaled_pinball_sum += other.scaled_pinball_sum;
}

void PlanScore::add(const PlanScore& other) {
  baked += other.baked;
  sold += other.sold;
  wasted += other.wasted;
  lost += other.lost;
  profit += other.profit;
  days += other.days;
}

std::string_view policy_name(Policy p) {
  switch (p) {
    case Policy::kLevain:
      return "levain";
    case Policy::kLastWeek:
      return "last_week";
    case Policy::kWeekdayMeanPlus10:
      return "weekday_mean_4_plus_10pct";
  }
  return "unknown";
}

std::string_view method_name(Method m) {
  switch (m) {
    case Method::kLevain:
      return "levain";
    case Method::kSeasonalNaive:
      return "seasonal_naive";
    case Method::kWeekdayMean:
      return "weekday_mean_4";
  }
  return "unknown";
}

std::vector<double> weekday_mean_forecast(std::span<const double> history, int horizon) {
  const auto slot = same_weekday_means(history, 4, 56);  // the last 4 same weekdays in 8 weeks
  std::vector<double> out(static_cast<std::size_t>(std::max(horizon, 0)));
  for (std::size_t k = 0; k < out.size(); ++k) out[k] = std::max(0.0, slot[k % 7]);
  return out;
}

BacktestResult run_backtest(const std::vector<Series>& series, const BacktestOptions& options) {
  BacktestResult result;
  result.options = clamped(options);
  result.options.on_product = nullptr;
  for (std::size_t i = 0; i < series.size(); ++i) {
    result.products.push_back(backtest_product(series[i], result.options));
    const auto& p = result.products.back();
    result.levain_fits += p.methods[0].origins;
    result.levain_fallbacks += p.levain_fallbacks;
    for (std::size_t k = 0; k < kPolicyCount; ++k) result.plan[k].add(p.plan[k]);
    if (options.on_product) options.on_product(i + 1, series.size(), series[i].product);
  }
  for (std::size_t m = 0; m < kMethodCount; ++m) {
    result.aggregate[m] = aggregate(result.products, m);
  }
  return result;
}

}  // namespace levain::forecast
