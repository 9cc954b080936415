// Forecasts checked against sales, the pure part: errors per lead, MASE on the served model's
// scale, 80% coverage, and the drift verdict with its window, its minimum and its version.
#include "training/api/live_accuracy.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace levain::training::api {
namespace {

using forecast::Date;

const Date kDay{std::chrono::year{2026} / 11 / 1};

StoredModel served(const std::string& product, int version, double holdout_mae, double mase) {
  StoredModel m;
  m.product = product;
  m.version = version;
  m.report.holdout.mae = holdout_mae;
  m.report.holdout.mase = mase;
  return m;
}

// A forecast of `yhat` ± 2 made `lead` days ahead for day `day` (from kDay), which sold `sold`.
MetForecast met(const std::string& product, int day, int lead, double yhat, double sold,
                int version = 1) {
  return {.product = product,
          .date = kDay + std::chrono::days{day},
          .lead = lead,
          .version = version,
          .yhat = yhat,
          .lower = yhat - 2,
          .upper = yhat + 2,
          .sold = sold,
          .sold_out = false};
}

TEST(LiveAccuracy, ErrorsPerLeadOnTheServedModelsScale) {
  // Scale: hold-out MAE 2 at MASE 0.5, so the seasonal-naive MAE is 4.
  const auto r = live_accuracy({met("Pan", 0, 1, 10, 11), met("Pan", 1, 1, 10, 14),
                                met("Pan", 6, 7, 10, 10), met("Pan", 3, 2, 50, 0)},
                               {served("Pan", 1, 2, 0.5)});
  ASSERT_EQ(r.products.size(), 1u);
  const auto& one = r.products[0].leads[0];
  EXPECT_EQ(one.forecasts, 2u);
  EXPECT_DOUBLE_EQ(one.mae(), 2.5);
  EXPECT_DOUBLE_EQ(one.mase(), 2.5 / 4);
  EXPECT_DOUBLE_EQ(one.coverage_80(), 0.5);  // 11 is inside 8..12, 14 is not
  EXPECT_EQ(r.products[0].leads[1].forecasts, 1u);
  EXPECT_DOUBLE_EQ(r.products[0].leads[1].coverage_80(), 1);
  EXPECT_EQ(r.products[0].leads[2].forecasts, 0u);  // lead 14: none met its sales yet
  EXPECT_TRUE(std::isnan(r.products[0].leads[2].mae()));
  EXPECT_EQ(r.overall[0].forecasts, 2u);
  EXPECT_EQ(r.products[0].model_version, 1);
  EXPECT_DOUBLE_EQ(r.products[0].holdout_mae, 2);
}

TEST(LiveAccuracy, OverallPoolsProductsAndMaseStaysScaleFree) {
  const auto r = live_accuracy({met("Big", 0, 1, 100, 120), met("Small", 0, 1, 10, 12)},
                               {served("Big", 1, 10, 0.5), served("Small", 1, 1, 0.5)});
  EXPECT_DOUBLE_EQ(r.overall[0].mae(), 11);
  EXPECT_DOUBLE_EQ(r.overall[0].mase(), 1);           // 20/20 and 2/2
  EXPECT_DOUBLE_EQ(r.overall[0].coverage_80(), 0.5);  // 12 is on the upper bound: inside
}

struct DriftCase {
  const char* name;
  int days;            // days with sales, each with leads 1..3 of the served version
  double error;        // |yhat - sold| on each
  double holdout_mae;  // of the served model
  bool drifted;
};

TEST(LiveAccuracy, DriftNeedsTheRatioOverEnoughRecentDays) {
  const DriftCase cases[] = {
      {"twice the hold-out error", 14, 4, 2, true},
      {"1.5 times is not above it", 14, 3, 2, false},
      {"too few days to judge", 6, 10, 2, false},
      {"seven days are enough", 7, 10, 2, true},
      {"no hold-out error known", 14, 10, forecast::kNaN, false},
      {"a perfect hold-out, then errors", 14, 1, 0, true},
  };
  for (const auto& c : cases) {
    std::vector<MetForecast> rows;
    for (int d = 0; d < c.days; ++d) {
      for (int lead = 1; lead <= 3; ++lead) rows.push_back(met("Pan", d, lead, 10, 10 + c.error));
    }
    const auto r = live_accuracy(rows, {served("Pan", 1, c.holdout_mae, 0.5)});
    ASSERT_EQ(r.products.size(), 1u) << c.name;
    EXPECT_EQ(r.products[0].drifted, c.drifted) << c.name;
    EXPECT_EQ(r.products[0].recent_days, c.days) << c.name;
    EXPECT_DOUBLE_EQ(r.products[0].recent_mae, c.error) << c.name;
    EXPECT_EQ(r.drifted.size(), c.drifted ? 1u : 0u) << c.name;
  }
}

TEST(LiveAccuracy, OnlyTheNewestFourteenDaysOfTheServedVersionCount) {
  std::vector<MetForecast> rows;
  for (int d = 0; d < 30; ++d) rows.push_back(met("Pan", d, 1, 10, d < 16 ? 30 : 11));
  auto r = live_accuracy(rows, {served("Pan", 1, 2, 0.5)});
  EXPECT_FALSE(r.products[0].drifted) << "the bad days are older than the window";
  EXPECT_EQ(r.products[0].recent_days, 14);
  EXPECT_DOUBLE_EQ(r.products[0].recent_mae, 1);
  EXPECT_EQ(r.products[0].leads[0].forecasts, 30u) << "the lead tables keep every day";

  // A retrained product is judged on its new version only: none of its forecasts met sales.
  rows.clear();
  for (int d = 0; d < 14; ++d) rows.push_back(met("Pan", d, 1, 10, 30, /*version=*/1));
  r = live_accuracy(rows, {served("Pan", 2, 2, 0.5)});
  EXPECT_FALSE(r.products[0].drifted);
  EXPECT_TRUE(std::isnan(r.products[0].recent_mae));
  EXPECT_EQ(r.products[0].model_version, 2);
}

TEST(LiveAccuracy, DriftedFirstThenByNameAndProductsWithoutAModelStay) {
  std::vector<MetForecast> rows;
  for (int d = 0; d < 14; ++d) {
    rows.push_back(met("Zopf", d, 1, 10, 30));
    rows.push_back(met("Brioche", d, 1, 10, 10));
    rows.push_back(met("Gone", d, 1, 10, 50));
  }
  rows.push_back(met("Apfel", 0, 1, 10, 11));
  const auto r = live_accuracy(
      rows, {served("Zopf", 1, 2, 0.5), served("Brioche", 1, 2, 0.5), served("Apfel", 1, 2, 0.5)});
  ASSERT_EQ(r.products.size(), 4u);
  EXPECT_EQ(r.products[0].product, "Zopf");
  EXPECT_EQ(r.products[1].product, "Apfel");
  EXPECT_EQ(r.products[2].product, "Brioche");
  EXPECT_EQ(r.products[3].product, "Gone");
  EXPECT_EQ(r.products[3].model_version, 0);
  EXPECT_FALSE(r.products[3].drifted) << "no model now: nothing to retrain";
  EXPECT_TRUE(std::isnan(r.products[3].leads[0].mase()));
  EXPECT_EQ(r.drifted, std::vector<std::string>{"Zopf"});
  EXPECT_TRUE(live_accuracy({}, {}).products.empty());
}

}  // namespace
}  // namespace levain::training::api
