// Model versions (both backends): numbering, the newest kModelVersionsKept kept, rollback.
#include <gtest/gtest.h>

#include "store/store_backends.hpp"

namespace levain::training {
namespace {

StoredModel trained(const std::string& product, const std::string& job, double yhat) {
  StoredModel m;
  m.tenant_id = "t";
  m.product = product;
  m.job_id = job;
  m.trained_at_us = 1'764'246'896'000'000;
  m.report.model = "additive";
  forecast::ForecastPoint p;
  p.date = forecast::Date{std::chrono::days{20'000}};
  p.yhat = p.lower = p.upper = yhat;
  m.report.forecast.push_back(p);
  return m;
}

class StoreVersions : public testing::StoreTest {};

TEST_P(StoreVersions, EachSaveIsTheNextVersionAndIsServed) {
  EXPECT_EQ(store_.save_model(trained("Pain", "j1", 1)), 1);
  EXPECT_EQ(store_.save_model(trained("Pain", "j2", 2)), 2);
  EXPECT_EQ(store_.save_model(trained("Brioche", "j2", 7)), 1);  // numbered per product
  const auto served = store_.get_model("t", "Pain");
  ASSERT_TRUE(served);
  EXPECT_EQ(served->version, 2);
  EXPECT_EQ(served->job_id, "j2");
  EXPECT_EQ(store_.list_models("t")[1].version, 2);
}

TEST_P(StoreVersions, KeepsTheNewestFiveNewestFirst) {
  for (int i = 1; i <= 7; ++i) store_.save_model(trained("Pain", "j" + std::to_string(i), i));
  const auto versions = store_.list_model_versions("t", "Pain");
  ASSERT_EQ(versions.size(), static_cast<std::size_t>(kModelVersionsKept));
  EXPECT_EQ(versions.front().version, 7);
  EXPECT_EQ(versions.back().version, 3);
  EXPECT_EQ(versions.back().report.forecast.at(0).yhat, 3);
  EXPECT_TRUE(store_.list_model_versions("t", "Nothing").empty());
  EXPECT_TRUE(store_.list_model_versions("other", "Pain").empty());
}

TEST_P(StoreVersions, RollbackServesAKeptVersionAndTheNextSaveNumbersOn) {
  for (int i = 1; i <= 3; ++i) store_.save_model(trained("Pain", "j" + std::to_string(i), i));
  ASSERT_TRUE(store_.rollback_model("t", "Pain", 1));
  auto served = store_.get_model("t", "Pain");
  EXPECT_EQ(served->version, 1);
  EXPECT_EQ(served->job_id, "j1");
  EXPECT_EQ(served->report.forecast.at(0).yhat, 1);
  EXPECT_FALSE(store_.rollback_model("t", "Pain", 9));
  EXPECT_FALSE(store_.rollback_model("other", "Pain", 1));
  EXPECT_EQ(store_.get_model("t", "Pain")->version, 1);  // a refused rollback changes nothing
  EXPECT_EQ(store_.save_model(trained("Pain", "j4", 4)), 4);
  EXPECT_EQ(store_.get_model("t", "Pain")->version, 4);
}

LEVAIN_STORE_BACKENDS(StoreVersions);

class StoreProducts : public testing::StoreTest {};

TEST_P(StoreProducts, ReplaceListsSortedAndClears) {
  store_.replace_products(
      "t", {{"Pain", {.unit_cost = 0.4, .price = 1.2}}, {"Brioche", {0.9, 2.5, 6, 12}}});
  store_.replace_products("other", {{"Secret", {1, 2}}});
  auto rows = store_.load_products("t");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].product, "Brioche");
  EXPECT_EQ(rows[0].economics.unit_cost, 0.9);
  EXPECT_EQ(rows[0].economics.price, 2.5);
  EXPECT_EQ(rows[0].economics.min_batch, 6);
  EXPECT_EQ(rows[0].economics.batch_size, 12);
  EXPECT_EQ(rows[1].economics.batch_size, 1);
  store_.replace_products("t", {{"Pain", {0.5, 1.5}}});
  rows = store_.load_products("t");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].economics.price, 1.5);
  store_.replace_products("t", {});
  EXPECT_TRUE(store_.load_products("t").empty());
  EXPECT_EQ(store_.load_products("other").size(), 1u);
}

TEST_P(StoreProducts, UnitCostShareDefaultsAndIsPerTenant) {
  EXPECT_EQ(store_.unit_cost_share("t"), kDefaultUnitCostShare);
  store_.set_unit_cost_share("t", 0.5);
  store_.set_unit_cost_share("t", 0.25);
  EXPECT_EQ(store_.unit_cost_share("t"), 0.25);
  EXPECT_EQ(store_.unit_cost_share("other"), kDefaultUnitCostShare);
}

LEVAIN_STORE_BACKENDS(StoreProducts);

}  // namespace
}  // namespace levain::training
