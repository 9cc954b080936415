#include "forecast/backtest.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include "forecast/metrics.hpp"
#include "forecast/model.hpp"
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

struct Accumulator {
  MetricSums metrics;
  double ms = 0;
  bool has_interval = false;
  MethodScore score;

  void add(std::span<const double> actual, const std::vector<ForecastPoint>& points, double scale,
           double fit_ms) {
    std::vector<double> yhat(actual.size(), kNaN);
    for (std::size_t k = 0; k < actual.size() && k < points.size(); ++k) {
      yhat[k] = points[k].yhat;
      if (!std::isfinite(actual[k])) continue;
      ++score.days;
      if (has_interval && points[k].lower <= actual[k] && actual[k] <= points[k].upper) {
        ++score.covered;
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
  return o;
}

ProductBacktest backtest_product(const Series& s, const BacktestOptions& o) {
  ProductBacktest out;
  out.product = s.product;
  std::array<Accumulator, kMethodCount> acc;
  acc[static_cast<std::size_t>(Method::kLevain)].has_interval = true;
  acc[static_cast<std::size_t>(Method::kSeasonalNaive)].has_interval = true;
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
    acc[0].add(actual, levain, scale, elapsed_ms(t0));
    if (report.fallback) ++out.levain_fallbacks;

    t0 = Clock::now();
    const auto naive = seasonal_naive_points(train.y, origin_date, o.horizon);
    acc[1].add(actual, naive, scale, elapsed_ms(t0));

    t0 = Clock::now();
    std::vector<ForecastPoint> mean4;
    for (const double v : weekday_mean_forecast(train.y, o.horizon)) {
      mean4.push_back({.date = {}, .yhat = v, .lower = kNaN, .upper = kNaN, .parts = {}});
    }
    acc[2].add(actual, mean4, scale, elapsed_ms(t0));
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
    if (options.on_product) options.on_product(i + 1, series.size(), series[i].product);
  }
  for (std::size_t m = 0; m < kMethodCount; ++m) {
    result.aggregate[m] = aggregate(result.products, m);
  }
  return result;
}

}  // namespace levain::forecast
