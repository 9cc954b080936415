// The model recovers known structure from synthetic series: weekday effects, a slope change at
// a known date and a holiday effect, and beats seasonal naive there.
#include "forecast/model.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>
#include <thread>

#include "forecast/dates.hpp"

namespace levain::forecast {
namespace {

constexpr double kWeekday[7] = {-10, -5, 0, 5, 10, 30, -30};  // Monday..Sunday
constexpr int kDays = 730;
constexpr int kBreak = 450;  // the slope turns from +0.1 to -0.1 per day here
constexpr double kHolidayEffect = 40;

struct Synthetic {
  Series series;
  HolidayCalendar calendar;
  Date start;
  double truth(int day) const {  // noise-free value of day `day` (may be in the future)
    const double trend = day < kBreak ? 0.1 * day : 0.1 * kBreak - 0.1 * (day - kBreak);
    const Date date = start + std::chrono::days{day};
    return 200 + trend + kWeekday[iso_weekday(date)] +
           (calendar.contains(date) ? kHolidayEffect : 0);
  }
};

Synthetic make_synthetic() {
  Synthetic s;
  s.start = *parse_iso_date("2023-01-02");  // a Monday
  // A local fiesta every 37 days, including one inside the forecast horizon (day kDays + 5).
  for (int day = 20; day < kDays + 30; day += 37) {
    s.calendar.add(s.start + std::chrono::days{day}, "Fiesta");
  }
  s.calendar.add(s.start + std::chrono::days{kDays + 5}, "Fiesta");
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise(0.0, 3.0);
  s.series.product = "Synthetic";
  s.series.start = s.start;
  for (int day = 0; day < kDays; ++day) s.series.y.push_back(s.truth(day) + noise(rng));
  return s;
}

TEST(Model, RecoversWeekdayTrendChangeAndHolidayAndBeatsNaive) {
  const Synthetic s = make_synthetic();
  ModelOptions options;
  options.horizon_days = 14;
  options.holidays = &s.calendar;
  const FitReport report = fit_and_forecast(s.series, options);

  EXPECT_FALSE(report.fallback) << report.fallback_reason;
  EXPECT_NE(report.model, "seasonal_naive");
  EXPECT_LT(report.holdout.mae, report.naive_holdout.mae);
  EXPECT_LT(report.holdout.mase, 0.7);
  ASSERT_EQ(report.forecast.size(), 14u);
  EXPECT_EQ(report.forecast.front().date, s.start + std::chrono::days{kDays});

  // Level, slope after the break, weekday pattern and the fiesta: each forecast day within 6
  // units of the noise-free truth (noise sd 3; a missed slope change would be ~30 off, a
  // missed weekday effect up to 30, a missed fiesta 40).
  for (int k = 0; k < 14; ++k) {
    EXPECT_NEAR(report.forecast[k].yhat, s.truth(kDays + k), 6.0) << "day " << k;
  }
  // The weekday contrast itself: Saturday minus Sunday is 60.
  for (int k = 0; k + 1 < 14; ++k) {
    if (iso_weekday(report.forecast[k].date) == 5) {
      EXPECT_NEAR(report.forecast[k].yhat - report.forecast[k + 1].yhat, 60.0, 5.0);
    }
  }
  // The fiesta on day kDays+5 lifts it ~40 over the same weekday one week later.
  EXPECT_NEAR(report.forecast[5].yhat - report.forecast[12].yhat, kHolidayEffect - 0.7, 8.0);
}

TEST(Model, IntervalsBracketTheForecastAndHaveSensibleWidth) {
  const Synthetic s = make_synthetic();
  ModelOptions options;
  options.holidays = &s.calendar;
  const FitReport report = fit_and_forecast(s.series, options);
  for (const auto& p : report.forecast) {
    EXPECT_LE(p.lower, p.yhat);
    EXPECT_GE(p.upper, p.yhat);
    // 80% interval of noise sd 3 is +-3.8; estimation error widens it, but not tenfold.
    EXPECT_GT(p.upper - p.lower, 4.0);
    EXPECT_LT(p.upper - p.lower, 40.0);
  }
}

TEST(Model, UsesSpanishHolidaysByDefault) {
  // Sales drop by 50 on Spanish national holidays; the default calendar must capture it.
  Series s;
  s.product = "Pan";
  s.start = *parse_iso_date("2024-01-01");
  const auto spain = HolidayCalendar::spain(2024, 2026);
  std::mt19937_64 rng(3);
  std::normal_distribution<double> noise(0.0, 2.0);
  const int days = 700;  // ends 2025-11-30; the horizon covers Dec 6 and Dec 8
  for (int d = 0; d < days; ++d) {
    const Date date = s.start + std::chrono::days{d};
    s.y.push_back(100 + kWeekday[iso_weekday(date)] - (spain.contains(date) ? 50 : 0) + noise(rng));
  }
  const FitReport report = fit_and_forecast(s, ModelOptions{.horizon_days = 14});
  EXPECT_FALSE(report.fallback) << report.fallback_reason;
  for (const auto& p : report.forecast) {
    const double expected = 100 + kWeekday[iso_weekday(p.date)] - (spain.contains(p.date) ? 50 : 0);
    EXPECT_NEAR(p.yhat, expected, 8.0) << format_iso_date(p.date);
  }
}

TEST(Model, RegressorEffectIsUsed) {
  // A promotion on scattered days, then every day for the last 8 weeks: the forecast must carry
  // the +25 promo effect, since a regressor's future value is its mean over the last 4 weeks.
  Series s;
  s.product = "Helado";
  s.start = *parse_iso_date("2024-01-01");
  s.regressor_names = {"promo"};
  s.regressors.resize(1);
  std::mt19937_64 rng(11);
  std::normal_distribution<double> noise(0.0, 2.0);
  const int days = 400;
  for (int d = 0; d < days; ++d) {
    const double promo = (d >= days - 56 || (d / 3) % 4 == 0) ? 1.0 : 0.0;
    s.regressors[0].push_back(promo);
    s.y.push_back(50 + 25 * promo + kWeekday[iso_weekday(s.start + std::chrono::days{d})] +
                  noise(rng));
  }
  const FitReport report = fit_and_forecast(s, ModelOptions{});
  EXPECT_FALSE(report.fallback) << report.fallback_reason;
  for (const auto& p : report.forecast) {
    EXPECT_NEAR(p.yhat, 75 + kWeekday[iso_weekday(p.date)], 5.0) << format_iso_date(p.date);
  }
}

TEST(Model, RecoversASlopeChangeAtAKnownDate) {
  // Three years rising by 0.3 a day, then falling by 0.2 a day from day 700 (on Sundays too):
  // the 28-day forecast must follow the new slope, not the long-run one.
  Series s;
  s.product = "Trend";
  s.start = *parse_iso_date("2022-01-03");
  std::mt19937_64 rng(21);
  std::normal_distribution<double> noise(0.0, 4.0);
  constexpr int kDays = 1000, kTurn = 700;
  const auto truth = [&](int d) {
    const double trend = d < kTurn ? 0.3 * d : 0.3 * kTurn - 0.2 * (d - kTurn);
    return 300 + trend + kWeekday[iso_weekday(s.start + std::chrono::days{d})];
  };
  for (int d = 0; d < kDays; ++d) s.y.push_back(truth(d) + noise(rng));
  const FitReport report = fit_and_forecast(s, ModelOptions{.horizon_days = 28});
  EXPECT_FALSE(report.fallback) << report.fallback_reason;
  ASSERT_EQ(report.forecast.size(), 28u);
  // Slope from same weekdays three weeks apart: -0.2 a day, within 0.05.
  double slope = 0;
  for (int k = 0; k < 7; ++k)
    slope += (report.forecast[k + 21].yhat - report.forecast[k].yhat) / 21;
  EXPECT_NEAR(slope / 7, -0.2, 0.05);
  for (int k = 0; k < 28; ++k) EXPECT_NEAR(report.forecast[k].yhat, truth(kDays + k), 8.0);
}

TEST(Model, RecoversAWeekendShareThatChangesWithTheSeason) {
  // Weekends sell 60 more in midsummer and 60 less in midwinter (a tourist town); weekdays are
  // flat. A fixed weekday pattern would miss the weekend by up to 60 in either season.
  Series s;
  s.product = "Helados";
  s.start = *parse_iso_date("2022-01-03");
  std::mt19937_64 rng(5);
  std::normal_distribution<double> noise(0.0, 3.0);
  const auto truth = [&](int d) {
    const Date date = s.start + std::chrono::days{d};
    const double season = -std::cos(2 * std::numbers::pi * (day_of_year(date) + 10) / 365.25);
    return 100 + (iso_weekday(date) >= 5 ? 60 * season : 0.0);
  };
  constexpr int kDays = 3 * 365 + 190;  // ends in mid-July: weekends at their summer high
  for (int d = 0; d < kDays; ++d) s.y.push_back(truth(d) + noise(rng));
  const FitReport report = fit_and_forecast(s, ModelOptions{.horizon_days = 14});
  EXPECT_FALSE(report.fallback) << report.fallback_reason;
  for (int k = 0; k < 14; ++k) {
    EXPECT_NEAR(report.forecast[k].yhat, truth(kDays + k), 10.0)
        << format_iso_date(report.forecast[k].date);
  }
}

TEST(Model, DeterministicAndThreadSafe) {
  const Synthetic s = make_synthetic();
  ModelOptions options;
  options.holidays = &s.calendar;
  const FitReport a = fit_and_forecast(s.series, options);
  std::vector<FitReport> results(4);
  std::vector<std::thread> threads;
  for (auto& r : results) {
    threads.emplace_back([&] { r = fit_and_forecast(s.series, options); });
  }
  for (auto& t : threads) t.join();
  for (const auto& r : results) {
    ASSERT_EQ(r.forecast.size(), a.forecast.size());
    EXPECT_EQ(r.model, a.model);
    for (std::size_t k = 0; k < a.forecast.size(); ++k) {
      EXPECT_EQ(r.forecast[k].yhat, a.forecast[k].yhat);
      EXPECT_EQ(r.forecast[k].upper, a.forecast[k].upper);
    }
  }
}

}  // namespace
}  // namespace levain::forecast
