// Awkward inputs give finite, non-negative forecasts and the documented fallback.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "forecast/csv.hpp"
#include "forecast/dates.hpp"
#include "forecast/model.hpp"
#include "forecast/series.hpp"

namespace levain::forecast {
namespace {

Series series_of(std::vector<double> y) {
  Series s;
  s.product = "P";
  s.start = *parse_iso_date("2024-01-01");
  s.y = std::move(y);
  return s;
}

void expect_sane(const FitReport& r, std::size_t horizon) {
  ASSERT_EQ(r.forecast.size(), horizon);
  for (std::size_t k = 0; k < r.forecast.size(); ++k) {
    const auto& p = r.forecast[k];
    EXPECT_TRUE(std::isfinite(p.yhat) && std::isfinite(p.lower) && std::isfinite(p.upper));
    EXPECT_GE(p.lower, 0.0);
    EXPECT_LE(p.lower, p.yhat);
    EXPECT_LE(p.yhat, p.upper);
    if (k > 0) {
      EXPECT_EQ(p.date, r.forecast[k - 1].date + std::chrono::days{1});
    }
  }
  EXPECT_TRUE(r.fallback == (r.model == "seasonal_naive"));
  EXPECT_TRUE(r.fallback == !r.fallback_reason.empty());
  EXPECT_GE(r.fit_ms, 0.0);
  // Metrics are a number or undefined (NaN, written as null), never infinite.
  for (const Accuracy& a : {r.holdout, r.naive_holdout}) {
    for (const double v : {a.mae, a.rmse, a.mape, a.smape, a.mase}) EXPECT_FALSE(std::isinf(v));
  }
}

std::vector<double> weekly(int days, double level, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0.0, 1.0);
  std::vector<double> y;
  for (int d = 0; d < days; ++d) y.push_back(level * (1 + 0.3 * (d % 7 == 5)) + noise(rng));
  return y;
}

TEST(Robustness, ShortHistoryIsSeasonalNaiveClearlyLabelled) {
  const auto y = weekly(30, 20, 1);
  const FitReport r = fit_and_forecast(series_of(y), ModelOptions{.horizon_days = 10});
  expect_sane(r, 10);
  EXPECT_TRUE(r.fallback);
  EXPECT_EQ(r.model, "seasonal_naive");
  EXPECT_NE(r.fallback_reason.find("history shorter than 8 weeks"), std::string::npos);
  // Even so, seasonal naive's accuracy on the last week is reported.
  EXPECT_TRUE(std::isfinite(r.holdout.mae) && std::isfinite(r.holdout.mase));
  // Seasonal naive: day k repeats the same weekday of the last week.
  EXPECT_DOUBLE_EQ(r.forecast[0].yhat, std::max(0.0, y[23]));
  EXPECT_DOUBLE_EQ(r.forecast[8].yhat, std::max(0.0, y[24]));
}

TEST(Robustness, EmptyAndAllMissing) {
  expect_sane(fit_and_forecast(series_of({}), ModelOptions{}), 14);
  const FitReport r = fit_and_forecast(series_of(std::vector<double>(100, kNaN)), ModelOptions{});
  expect_sane(r, 14);
  EXPECT_TRUE(r.fallback);
  for (const auto& p : r.forecast) EXPECT_EQ(p.yhat, 0.0);
}

TEST(Robustness, ConstantAndAllZeros) {
  const FitReport c = fit_and_forecast(series_of(std::vector<double>(400, 5.0)), ModelOptions{});
  expect_sane(c, 14);
  for (const auto& p : c.forecast) EXPECT_NEAR(p.yhat, 5.0, 1e-6);
  // Seasonal naive is exact on a constant: the model cannot beat it, and the report says so.
  EXPECT_TRUE(c.fallback);
  EXPECT_NE(c.fallback_reason.find("did not beat seasonal naive"), std::string::npos);
  EXPECT_EQ(c.holdout.mae, 0.0);
  EXPECT_TRUE(std::isnan(c.holdout.mase));  // zero naive scale: undefined, not infinite
  const FitReport z = fit_and_forecast(series_of(std::vector<double>(400, 0.0)), ModelOptions{});
  expect_sane(z, 14);
  for (const auto& p : z.forecast) EXPECT_EQ(p.upper, 0.0);
}

TEST(Robustness, GapsAndLeadingTrailingMissing) {
  auto y = weekly(500, 30, 2);
  std::mt19937_64 rng(5);
  for (auto& v : y) {
    if (rng() % 10 < 3) v = kNaN;
  }
  for (int i = 0; i < 20; ++i) y[i] = kNaN;
  for (int i = 480; i < 500; ++i) y[i] = kNaN;
  const Series s = series_of(y);
  const FitReport r = fit_and_forecast(s, ModelOptions{});
  expect_sane(r, 14);
  int last = 479;
  while (std::isnan(y[last])) --last;
  EXPECT_EQ(r.forecast.front().date, s.start + std::chrono::days{last + 1});
}

TEST(Robustness, OutliersDoNotBendTheForecast) {
  auto y = weekly(500, 30, 3);
  for (int d : {100, 250, 400, 470}) y[d] = 3000;
  const FitReport r = fit_and_forecast(series_of(y), ModelOptions{});
  expect_sane(r, 14);
  for (const auto& p : r.forecast) EXPECT_LT(p.yhat, 45.0);
}

TEST(Robustness, IntermittentAndHugeValues) {
  std::mt19937_64 rng(9);
  std::vector<double> y;
  for (int d = 0; d < 400; ++d) y.push_back(rng() % 5 == 0 ? 1.0 : 0.0);
  expect_sane(fit_and_forecast(series_of(y), ModelOptions{}), 14);
  auto big = weekly(400, 1e12, 4);
  expect_sane(fit_and_forecast(series_of(big), ModelOptions{}), 14);
  auto tiny = weekly(400, 1e-9, 4);
  for (auto& v : tiny) v = std::abs(v) * 1e-9;
  expect_sane(fit_and_forecast(series_of(tiny), ModelOptions{}), 14);
}

TEST(Robustness, TooFewObservedDays) {
  std::vector<double> y(200, kNaN);
  for (int d = 0; d < 200; d += 7) y[d] = 10;
  y[199] = 10;
  const FitReport r = fit_and_forecast(series_of(y), ModelOptions{});
  expect_sane(r, 14);
  EXPECT_NE(r.fallback_reason.find("too few observed days"), std::string::npos);
}

TEST(Robustness, DuplicateRowsLastRowWins) {
  // The same (date, product) twice in an upload: the later row is the day's value.
  std::string csv = "date,product,quantity\n";
  for (int d = 0; d < 120; ++d) {
    const auto date = format_iso_date(*parse_iso_date("2024-01-01") + std::chrono::days{d});
    csv += date + ",Pan," + std::to_string(1000 + d) + "\n";  // wrong, then corrected:
    csv += date + ",Pan," + std::to_string(20 + (d % 7 == 5 ? 10 : 0)) + "\n";
  }
  const auto parsed = parse_sales_csv(csv);
  ASSERT_EQ(parsed.rejected_total, 0u);
  const auto series = series_from_rows(parsed.rows, parsed.regressor_names, 10000);
  ASSERT_EQ(series.size(), 1u);
  ASSERT_EQ(series[0].y.size(), 120u);
  EXPECT_EQ(series[0].y[0], 20.0);
  const FitReport r = fit_and_forecast(series[0], ModelOptions{});
  expect_sane(r, 14);
  for (const auto& p : r.forecast) EXPECT_NEAR(p.yhat, iso_weekday(p.date) == 5 ? 30 : 20, 1.0);
}

TEST(Robustness, ClosedWeekDoesNotDragTheForecast) {
  // A week of zeros (the shop closed) in a steady history: the forecast stays at the level.
  auto y = weekly(500, 40, 8);
  for (int d = 300; d < 307; ++d) y[d] = 0;
  const FitReport r = fit_and_forecast(series_of(y), ModelOptions{.horizon_days = 28});
  expect_sane(r, 28);
  for (const auto& p : r.forecast) {
    EXPECT_NEAR(p.yhat, iso_weekday(p.date) == 5 ? 52 : 40, 3.0) << format_iso_date(p.date);
  }
}

TEST(Robustness, OddOptions) {
  const auto y = weekly(300, 10, 6);
  expect_sane(fit_and_forecast(series_of(y), ModelOptions{.horizon_days = 0}), 0);
  expect_sane(fit_and_forecast(series_of(y), ModelOptions{.horizon_days = -5, .holdout_days = -1}),
              0);
  expect_sane(
      fit_and_forecast(series_of(y), ModelOptions{.horizon_days = 60, .holdout_days = 1000}), 60);
}

TEST(Robustness, NegativeValuesAreTreatedAsMissing) {
  auto y = weekly(200, 10, 7);
  y[50] = -100;
  expect_sane(fit_and_forecast(series_of(y), ModelOptions{}), 14);
}

}  // namespace
}  // namespace levain::forecast
