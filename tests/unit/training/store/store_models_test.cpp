// Store models (both backends): full-precision round trip of the report, replace, list, isolation.
#include <gtest/gtest.h>

#include <cmath>

#include "store/store_backends.hpp"

namespace levain::training {
namespace {

using namespace std::chrono;

StoredModel model(const std::string& tenant, const std::string& product, const std::string& job) {
  StoredModel m;
  m.tenant_id = tenant;
  m.product = product;
  m.job_id = job;
  m.trained_at_us = 1'764'246'896'789'123;
  m.report.model = "additive";
  m.report.holdout = {1.0 / 3.0, 2.5, 8.123456789, 7.0, 0.81};
  m.report.naive_holdout = {2.0, 3.0, forecast::kNaN, 9.0, HUGE_VAL};
  m.report.fit_ms = 41.75;
  const sys_days start{year{2026} / 11 / 28};
  for (int i = 0; i < 14; ++i) {
    forecast::ForecastPoint p;
    p.date = start + days{i};
    p.yhat = 10.0 + i / 7.0;
    p.lower = 8.0 + i;
    p.upper = 12.0 + i;
    m.report.forecast.push_back(p);
  }
  return m;
}

void expect_same_number(double a, double b) {
  if (std::isnan(b)) {
    EXPECT_TRUE(std::isnan(a));
  } else {
    EXPECT_EQ(a, b);  // stored at full precision, not rounded
  }
}

void expect_same(const forecast::Accuracy& a, const forecast::Accuracy& b) {
  expect_same_number(a.mae, b.mae);
  expect_same_number(a.rmse, b.rmse);
  expect_same_number(a.mape, b.mape);
  expect_same_number(a.smape, b.smape);
  expect_same_number(a.mase, b.mase);
}

void expect_same(const StoredModel& a, const StoredModel& b) {
  EXPECT_EQ(a.tenant_id, b.tenant_id);
  EXPECT_EQ(a.product, b.product);
  EXPECT_EQ(a.job_id, b.job_id);
  EXPECT_EQ(a.trained_at_us, b.trained_at_us);
  EXPECT_EQ(a.report.model, b.report.model);
  EXPECT_EQ(a.report.fallback, b.report.fallback);
  EXPECT_EQ(a.report.fallback_reason, b.report.fallback_reason);
  expect_same(a.report.holdout, b.report.holdout);
  expect_same(a.report.naive_holdout, b.report.naive_holdout);
  EXPECT_EQ(a.report.fit_ms, b.report.fit_ms);
  ASSERT_EQ(a.report.forecast.size(), b.report.forecast.size());
  for (std::size_t i = 0; i < a.report.forecast.size(); ++i) {
    EXPECT_EQ(a.report.forecast[i].date, b.report.forecast[i].date);
    EXPECT_EQ(a.report.forecast[i].yhat, b.report.forecast[i].yhat);
    EXPECT_EQ(a.report.forecast[i].lower, b.report.forecast[i].lower);
    EXPECT_EQ(a.report.forecast[i].upper, b.report.forecast[i].upper);
  }
}

class StoreModels : public testing::StoreTest {};

TEST_P(StoreModels, SaveThenGetRoundTripsExactly) {
  const auto m = model("t", "Baguette", "j1");
  store_.save_model(m);
  const auto got = store_.get_model("t", "Baguette");
  ASSERT_TRUE(got);
  expect_same(*got, m);
  EXPECT_FALSE(store_.get_model("t", "Croissant"));
}

TEST_P(StoreModels, SavingAgainReplacesTheProductsModel) {
  store_.save_model(model("t", "Baguette", "j1"));
  auto m = model("t", "Baguette", "j2");
  m.report.model = "seasonal_naive";
  m.report.fallback = true;
  m.report.fallback_reason = "The additive model did not beat last week's sales.";
  m.report.forecast.resize(3);
  store_.save_model(m);
  expect_same(*store_.get_model("t", "Baguette"), m);
  EXPECT_EQ(store_.list_models("t").size(), 1u);
}

TEST_P(StoreModels, ListIsSortedByProductAndTenantsAreIsolated) {
  store_.save_model(model("t", "Pain", "j1"));
  store_.save_model(model("t", "Brioche", "j1"));
  store_.save_model(model("other", "Secret", "j9"));
  store_.save_model(model("other", "Pain", "j9"));
  const auto list = store_.list_models("t");
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].product, "Brioche");
  EXPECT_EQ(list[1].product, "Pain");
  EXPECT_EQ(list[1].job_id, "j1");
  EXPECT_EQ(list[1].tenant_id, "t");
  EXPECT_FALSE(store_.get_model("t", "Secret"));
}

TEST_P(StoreModels, ModelsSurviveReopen) {
  const auto m = model("t", "Baguette", "j1");
  store_.save_model(m);
  owned_.reset();
  expect_same(*db_.open()->get_model("t", "Baguette"), m);
}

LEVAIN_STORE_BACKENDS(StoreModels);

}  // namespace
}  // namespace levain::training
