// The bake plan's pure part: which day, which economics, which products are skipped, the CSV.
#include "training/api/bake_plan.hpp"

#include <gtest/gtest.h>

namespace levain::training::api {
namespace {

using forecast::Date;

StoredModel model(const std::string& product, Date first, int days, double yhat, int version) {
  StoredModel m;
  m.product = product;
  m.version = version;
  m.report.model = "additive";
  for (int k = 0; k < days; ++k) {
    forecast::ForecastPoint p;
    p.date = first + std::chrono::days{k};
    p.yhat = yhat;
    p.lower = yhat * 0.8;
    p.upper = yhat * 1.2;
    m.report.forecast.push_back(p);
  }
  return m;
}

const Date kDay{std::chrono::year{2026} / 12 / 3};

TEST(BakePlan, DefaultsToTheNewestFirstForecastDayAndSkipsProductsWithoutIt) {
  const std::vector<StoredModel> models = {model("Old", kDay - std::chrono::days{30}, 14, 50, 2),
                                           model("Pan", kDay, 14, 100, 1)};
  const auto plan = make_bake_plan(models, {}, 0.35, std::nullopt, 1);
  EXPECT_EQ(plan.date, kDay);
  ASSERT_EQ(plan.lines.size(), 1u);
  EXPECT_EQ(plan.lines[0].product, "Pan");
  EXPECT_TRUE(plan.lines[0].default_economics);
  EXPECT_NEAR(plan.lines[0].decision.service_level, 0.65, 1e-12);
  ASSERT_EQ(plan.skipped.size(), 1u);
  EXPECT_EQ(plan.skipped[0].product, "Old");
  EXPECT_EQ(plan.skipped[0].reason,
            "no forecast for 2026-12-03: its model (version 2) forecasts 2026-11-03 to "
            "2026-11-16");
}

TEST(BakePlan, UsesTheProductsRowAndItsBatchesOverSeveralDays) {
  const std::vector<StoredModel> models = {model("Pan", kDay, 14, 100, 3)};
  const std::vector<ProductEconomics> econ = {
      {"Pan", {.unit_cost = 0.2, .price = 1, .min_batch = 0, .batch_size = 12}}};
  const auto plan = make_bake_plan(models, econ, 0.35, kDay + std::chrono::days{1}, 3);
  ASSERT_EQ(plan.lines.size(), 3u);
  EXPECT_EQ(plan.lines[2].date, kDay + std::chrono::days{3});
  for (const auto& l : plan.lines) {
    EXPECT_FALSE(l.default_economics);
    EXPECT_EQ(l.decision.quantity % 12, 0);
    EXPECT_GT(l.decision.quantity, 100);  // service level 0.8: above the median
    EXPECT_EQ(l.model_version, 3);
  }
  const auto csv = bake_plan_csv(plan);
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "date,product,quantity,service_level,median,expected_sold,expected_waste,"
            "expected_lost_sales,expected_profit,unit_cost,price,economics,model_version");
  EXPECT_NE(csv.find("\n2026-12-04,Pan,"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",0.80,"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",0.20,1.00,product,3\n"), std::string::npos) << csv;
}

TEST(BakePlan, CsvQuotesNamesAndLeavesUnknownMoneyEmpty) {
  const auto plan = make_bake_plan({model("Pan, grande", kDay, 1, 10, 1)}, {}, 0.5, kDay, 1);
  const auto csv = bake_plan_csv(plan);
  EXPECT_NE(csv.find("\"Pan, grande\""), std::string::npos) << csv;
  EXPECT_NE(csv.find(",,,default,1\n"), std::string::npos) << csv;
}

}  // namespace
}  // namespace levain::training::api
