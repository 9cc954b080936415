// Forecasts explained: each day's parts are in units and add up to the forecast, in the additive
// and the multiplicative form, for seasonal naive, and when the bound at 0 moved the sum.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "forecast/dates.hpp"
#include "forecast/engine.hpp"
#include "forecast/model.hpp"

namespace levain::forecast {
namespace {

constexpr int kDays = 730;
constexpr double kFiesta = 40;

double sum_of(const std::vector<double>& v) {
  double s = 0;
  for (const double x : v) s += x;
  return s;
}

std::ptrdiff_t index_of(const FitReport& r, const std::string& name) {
  const auto it = std::find(r.component_names.begin(), r.component_names.end(), name);
  return it == r.component_names.end() ? -1 : it - r.component_names.begin();
}

void expect_parts_add_up(const FitReport& r) {
  ASSERT_FALSE(r.forecast.empty());
  for (const auto& p : r.forecast) {
    ASSERT_EQ(p.parts.size(), r.component_names.size());
    EXPECT_NEAR(sum_of(p.parts), p.yhat, 1e-9 * std::max(1.0, std::abs(p.yhat)))
        << r.model << " " << format_iso_date(p.date);
    EXPECT_TRUE(std::isfinite(p.z) && std::isfinite(p.sigma) && p.sigma >= 0);
  }
}

struct Case {
  Series series;
  HolidayCalendar calendar;
};

// Additive structure with constant noise: level 200, weekday effects, a fiesta every 37 days
// (one on the 6th forecast day) and a promotion regressor worth +25.
Case additive_case() {
  Case c;
  const Date start = *parse_iso_date("2023-01-02");  // a Monday
  for (int day = 20; day < kDays + 30; day += 37)
    c.calendar.add(start + std::chrono::days{day}, "Fiesta");
  c.calendar.add(start + std::chrono::days{kDays + 5}, "Fiesta");
  constexpr double weekday[7] = {-10, -5, 0, 5, 10, 30, -30};
  std::mt19937_64 rng(11);
  std::normal_distribution<double> noise(0.0, 3.0);
  c.series.product = "Additive";
  c.series.start = start;
  c.series.regressor_names = {"promo"};
  c.series.regressors.resize(1);
  for (int day = 0; day < kDays; ++day) {
    const Date date = start + std::chrono::days{day};
    const double promo = day % 11 == 3 ? 1.0 : 0.0;
    c.series.regressors[0].push_back(promo);
    c.series.y.push_back(200 + 0.05 * day + weekday[iso_weekday(date)] +
                         (c.calendar.contains(date) ? kFiesta : 0) + 25 * promo + noise(rng));
  }
  return c;
}

// Multiplicative structure: a level growing tenfold, weekday factors and multiplicative noise.
Case multiplicative_case() {
  Case c;
  const Date start = *parse_iso_date("2023-01-02");
  constexpr double weekday[7] = {0.7, 0.8, 0.9, 1.0, 1.2, 1.8, 0.6};
  std::mt19937_64 rng(5);
  std::normal_distribution<double> noise(0.0, 0.05);
  c.series.product = "Multiplicative";
  c.series.start = start;
  for (int day = 0; day < kDays; ++day) {
    const Date date = start + std::chrono::days{day};
    const double level = 10 * std::exp(std::log(10.0) * day / kDays);
    c.series.y.push_back(level * weekday[iso_weekday(date)] * std::exp(noise(rng)));
  }
  return c;
}

TEST(Components, UnitsOfTheLogFormAddUpAndKeepTheirSigns) {
  const ResponseTransform log_scale{.log = true, .offset = 2.0};
  const std::vector<double> z = {std::log(52.0), 0.3, -0.1, 0.05};
  const auto parts = parts_in_units(z, log_scale);
  ASSERT_EQ(parts.size(), 4u);
  EXPECT_NEAR(parts[0], 50.0, 1e-12);  // exp(trend) - offset
  EXPECT_NEAR(sum_of(parts), log_scale.inverse(sum_of(z)), 1e-9);
  EXPECT_GT(parts[1], 0);
  EXPECT_LT(parts[2], 0);
  EXPECT_NEAR(parts[1] / parts[3], 0.3 / 0.05, 1e-9);  // shared in proportion
  // No other part: nothing to share, and no 0/0.
  const auto flat = parts_in_units(std::vector<double>{std::log(52.0), 0.0, 0.0}, log_scale);
  EXPECT_NEAR(flat[0], 50.0, 1e-12);
  EXPECT_EQ(flat[1], 0.0);
  // The additive form: the z parts themselves.
  const std::vector<double> additive = {100, 12, -3};
  EXPECT_EQ(parts_in_units(additive, ResponseTransform{}), additive);
}

TEST(Components, AdditiveFormAddsUpWithNamedHolidaysAndRegressors) {
  const Case c = additive_case();
  const FitReport r = fit_and_forecast(c.series, {.horizon_days = 14, .holidays = &c.calendar});
  ASSERT_EQ(r.model, "additive") << r.fallback_reason;
  EXPECT_FALSE(r.log_scale);
  EXPECT_GT(r.cap, 0);
  expect_parts_add_up(r);
  const auto trend = index_of(r, "trend");
  const auto weekday = index_of(r, "weekday");
  const auto yearly = index_of(r, "yearly");
  const auto fiesta = index_of(r, "holiday:Fiesta");
  const auto promo = index_of(r, "regressor:promo");
  ASSERT_EQ(trend, 0);
  ASSERT_GE(weekday, 0);
  ASSERT_GE(yearly, 0);  // two years of history
  ASSERT_GE(index_of(r, "weekend_season"), 0);
  ASSERT_GE(fiesta, 0);
  ASSERT_GE(promo, 0);
  EXPECT_EQ(index_of(r, "clamp"), -1);
  // The fiesta is on day 5 only, and worth about its true effect; other days have no part of it.
  for (int k = 0; k < 14; ++k) {
    const double f = r.forecast[k].parts[static_cast<std::size_t>(fiesta)];
    if (k == 5) {
      EXPECT_NEAR(f, kFiesta, 8);
    } else {
      EXPECT_EQ(f, 0.0) << k;
    }
    // The trend is near the level 200 + 0.05 day, whatever the weekday.
    EXPECT_NEAR(r.forecast[k].parts[0], 200 + 0.05 * (kDays + k), 10) << k;
  }
  // Saturday against Sunday: 60 apart in the weekday part (2025-01-04 is a Saturday).
  for (int k = 0; k + 1 < 14; ++k) {
    if (iso_weekday(r.forecast[k].date) == 5) {
      EXPECT_NEAR(r.forecast[k].parts[weekday] - r.forecast[k + 1].parts[weekday], 60, 5);
    }
  }
}

TEST(Components, MultiplicativeFormAddsUpInUnits) {
  const Case c = multiplicative_case();
  const HolidayCalendar none;
  const FitReport r = fit_and_forecast(c.series, {.horizon_days = 21, .holidays = &none});
  ASSERT_EQ(r.model, "multiplicative") << r.fallback_reason;
  EXPECT_TRUE(r.log_scale);
  EXPECT_GT(r.offset, 0);
  expect_parts_add_up(r);
  const auto weekday = index_of(r, "weekday");
  ASSERT_GE(weekday, 0);
  for (const auto& p : r.forecast) {
    // The trend near the level at the end (about 100), the weekday part the factor's share.
    EXPECT_NEAR(p.parts[0], 100, 25) << format_iso_date(p.date);
    if (iso_weekday(p.date) == 5) {
      EXPECT_GT(p.parts[weekday], 40);
    }
    if (iso_weekday(p.date) == 6) {
      EXPECT_LT(p.parts[weekday], -20);
    }
    // z and sigma are on the log scale and give yhat back.
    EXPECT_NEAR(std::exp(p.z) - r.offset, p.yhat, 1e-9 * p.yhat);
  }
}

TEST(Components, TheBoundAtZeroIsAPartOfItsOwn) {
  // A steady decline that the forecast carries below zero: the days held at 0 say so.
  Series s;
  s.product = "Fading";
  s.start = *parse_iso_date("2024-01-01");
  std::mt19937_64 rng(3);
  std::normal_distribution<double> noise(0.0, 0.5);
  for (int day = 0; day < 300; ++day) s.y.push_back(std::max(0.0, 62 - 0.2 * day + noise(rng)));
  const HolidayCalendar none;
  const FitReport r = fit_and_forecast(s, {.horizon_days = 60, .holidays = &none});
  ASSERT_FALSE(r.fallback) << r.fallback_reason;
  expect_parts_add_up(r);
  const auto clamp = index_of(r, "clamp");
  ASSERT_GE(clamp, 0);
  EXPECT_EQ(r.forecast.back().yhat, 0.0);
  EXPECT_GT(r.forecast.back().parts[static_cast<std::size_t>(clamp)], 0.0);
  EXPECT_EQ(r.forecast.front().parts[static_cast<std::size_t>(clamp)], 0.0);
}

TEST(Components, SeasonalNaiveIsLastWeek) {
  Series s;
  s.product = "Short";
  s.start = *parse_iso_date("2024-01-01");
  for (int day = 0; day < 30; ++day) s.y.push_back(10 + day % 7);
  const FitReport r = fit_and_forecast(s, {.horizon_days = 7});
  ASSERT_TRUE(r.fallback);
  EXPECT_EQ(r.component_names, std::vector<std::string>{"last_week"});
  expect_parts_add_up(r);
  EXPECT_FALSE(r.log_scale);
  for (const auto& p : r.forecast) EXPECT_EQ(p.z, p.yhat);

  Series none;
  none.product = "None";
  const FitReport empty = fit_and_forecast(none, {.horizon_days = 3});
  expect_parts_add_up(empty);
}

}  // namespace
}  // namespace levain::forecast
