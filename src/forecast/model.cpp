#include "forecast/model.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>

#include "forecast/censoring.hpp"
#include "forecast/dates.hpp"
#include "forecast/engine.hpp"
#include "forecast/metrics.hpp"
#include "forecast/seasonal_naive.hpp"
#include "forecast/series.hpp"

namespace levain::forecast {
namespace {

constexpr int kMaxHorizon = 3660;

std::string format_number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

// Spain's national holidays over the years the fit and forecast touch, plus `extra` there.
HolidayCalendar builtin_calendar(Date first, Date last, const HolidayCalendar* extra) {
  const auto first_year = static_cast<int>(std::chrono::year_month_day{first}.year());
  const auto last_year = static_cast<int>(std::chrono::year_month_day{last}.year());
  HolidayCalendar calendar = HolidayCalendar::spain(first_year - 1, last_year + 1);
  if (extra != nullptr) {
    const Date from = make_date(first_year - 1, 1, 1);
    const Date to = make_date(std::min(last_year + 1, 9999), 12, 31);
    for (const auto& h : extra->entries()) {
      if (h.date >= from && h.date <= to) calendar.add(h.date, h.name);
    }
  }
  return calendar;
}

// Seasonal naive's accuracy on the last whole week(s) of a short history (a third of it at
// most), so even a product too short for the model gets metrics; NaN under three weeks.
Accuracy short_holdout(std::span<const double> y) {
  const auto holdout = static_cast<std::size_t>((y.size() / 3) / 7 * 7);
  if (holdout < 7) return {};
  const auto train = y.first(y.size() - holdout);
  return evaluate(y.last(holdout), seasonal_naive_forecast(train, static_cast<int>(holdout)),
                  seasonal_naive_scale(train));
}

}  // namespace

bool falls_back_for_history(const Series& s) {
  const auto observed =
      std::count_if(s.y.begin(), s.y.end(), [](double v) { return std::isfinite(v); });
  return static_cast<int>(s.y.size()) < kMinHistoryDays || observed < kMinObservedDays;
}

FitReport fit_and_forecast(const Series& series, const ModelOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  const int horizon = std::clamp(options.horizon_days, 0, kMaxHorizon);
  FitReport report;
  report.model = "seasonal_naive";
  report.fallback = true;
  report.component_names = {kSeasonalNaivePart};
  const auto finish = [&]() {
    report.fit_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    return report;
  };

  std::optional<std::size_t> first, last;
  for (std::size_t i = 0; i < series.y.size(); ++i) {
    if (!std::isfinite(series.y[i]) || series.y[i] < 0) continue;
    if (!first) first = i;
    last = i;
  }
  if (!first) {
    report.fallback_reason = "no observed sales: the forecast is zero";
    const Date next = series.start + std::chrono::days{static_cast<int>(series.y.size())};
    for (int k = 0; k < horizon; ++k) {
      report.forecast.push_back(
          {.date = next + std::chrono::days{k}, .z = 0, .sigma = 0, .parts = {0.0}});
    }
    return finish();
  }
  Series s = slice_series(series, *first, *last - *first + 1);
  // Negative quantities cannot be sales; treat them as unknown rather than fit them.
  for (double& v : s.y) {
    if (!std::isfinite(v) || v < 0) v = kNaN;
  }
  const int n = static_cast<int>(s.y.size());
  const int observed = static_cast<int>(
      std::count_if(s.y.begin(), s.y.end(), [](double v) { return std::isfinite(v); }));
  const Date next_day = s.start + std::chrono::days{n};

  if (falls_back_for_history(s)) {
    report.fallback_reason =
        n < kMinHistoryDays ? "history shorter than 8 weeks (" + std::to_string(n) +
                                  " days): seasonal naive is used"
                            : "too few observed days (" + std::to_string(observed) + ", need " +
                                  std::to_string(kMinObservedDays) + "): seasonal naive is used";
    report.holdout = report.naive_holdout = short_holdout(s.y);
    report.forecast = seasonal_naive_points(s.y, next_day, horizon);
    return finish();
  }

  std::optional<HolidayCalendar> builtin;
  if (options.holidays == nullptr) {
    builtin =
        builtin_calendar(s.start, next_day + std::chrono::days{horizon}, options.extra_holidays);
  }
  const HolidayCalendar& calendar = options.holidays ? *options.holidays : *builtin;

  // Hold-out: whole weeks, at most a third of the history.
  int holdout = std::clamp(options.holdout_days, 7, kMaxHorizon);
  holdout = std::max(7, std::min(holdout, (n / 3) / 7 * 7));
  const int train = n - holdout;
  // A sold-out day's quantity is a lower bound, never an observation: its imputed demand stands
  // in for it from here on, hold-out included (docs/forecasting.md, "Sold-out days").
  s.y = impute_sold_out(s, calendar, train);
  const std::span<const double> y(s.y);

  ForecastEngine engine(s, calendar, train);
  const HoldoutForecast candidate = engine.holdout_forecast(holdout);
  const double scale = seasonal_naive_scale(y.first(static_cast<std::size_t>(train)));
  const auto actual = y.subspan(static_cast<std::size_t>(train));
  const auto naive = seasonal_naive_forecast(y.first(static_cast<std::size_t>(train)), holdout);
  report.naive_holdout = evaluate(actual, naive, scale);
  const Accuracy model_acc = evaluate(actual, candidate.yhat, scale);

  const bool holdout_finite = std::all_of(candidate.yhat.begin(), candidate.yhat.end(),
                                          [](double v) { return std::isfinite(v); });
  const bool beats = holdout_finite && std::isfinite(model_acc.mae) &&
                     std::isfinite(report.naive_holdout.mae) &&
                     model_acc.mae < report.naive_holdout.mae;
  std::vector<ForecastPoint> points;
  if (beats) points = engine.final_forecast(next_day, horizon);
  const bool finite = std::all_of(points.begin(), points.end(), [](const ForecastPoint& p) {
    return std::isfinite(p.yhat) && std::isfinite(p.lower) && std::isfinite(p.upper) &&
           std::isfinite(p.z) && std::isfinite(p.sigma) &&
           std::all_of(p.parts.begin(), p.parts.end(), [](double v) { return std::isfinite(v); });
  });
  if (beats && finite) {
    report.model = candidate.multiplicative ? "multiplicative" : "additive";
    engine.describe(report);
    report.fallback = false;
    report.holdout = model_acc;
    report.forecast = std::move(points);
    return finish();
  }
  report.holdout = report.naive_holdout;
  if (!beats) {
    report.fallback_reason = "the model did not beat seasonal naive on the " +
                             std::to_string(holdout) + "-day hold-out (MAE " +
                             format_number(model_acc.mae) + " vs " +
                             format_number(report.naive_holdout.mae) + "): seasonal naive is used";
  } else {
    report.fallback_reason = "the model produced non-finite values: seasonal naive is used";
  }
  report.forecast = seasonal_naive_points(s.y, next_day, horizon);
  return finish();
}

}  // namespace levain::forecast
