// The job's JSON form: exact field names, NaN as null, ISO timestamps.
#include "training/jobs/job_json.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace levain::training {
namespace {

namespace json = boost::json;

TEST(Iso8601Micros, KnownValues) {
  EXPECT_EQ(iso8601_micros(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(iso8601_micros(1), "1970-01-01T00:00:00.000001Z");
  // 2026-11-27T12:34:56.789123Z
  EXPECT_EQ(iso8601_micros(1'795'782'896'789'123), "2026-11-27T12:34:56.789123Z");
  EXPECT_EQ(iso8601_micros(951'782'400'000'000), "2000-02-29T00:00:00.000000Z");
  EXPECT_EQ(iso8601_micros(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(iso8601_micros(253'402'300'799'999'999), "9999-12-31T23:59:59.999999Z");
  EXPECT_EQ(iso8601_micros(-62'167'219'200'000'000), "0000-01-01T00:00:00.000000Z");
}

TEST(Iso8601Micros, OutOfRangeIsAnError) {
  EXPECT_THROW(iso8601_micros(253'402'300'800'000'000), std::out_of_range);
  EXPECT_THROW(iso8601_micros(INT64_MIN), std::out_of_range);
  EXPECT_THROW(iso8601_micros(INT64_MAX), std::out_of_range);
}

TEST(AccuracyJson, NonFiniteIsNullAndNumbersAreRounded) {
  const forecast::Accuracy a{1.234567, forecast::kNaN, HUGE_VAL, -HUGE_VAL, 0.5};
  const json::value v = to_json(a);
  EXPECT_EQ(json::serialize(v),
            R"({"mae":1.2346E0,"rmse":null,"mape":null,"smape":null,"mase":5E-1})");
}

TEST(ProductResultJson, SucceededFields) {
  ProductResult r;
  r.product = "Baguette";
  r.status = "succeeded";
  r.model = "additive";
  r.metrics.mape = 8.1;
  r.fit_ms = 12.34567;
  const auto o = to_json(r);
  EXPECT_EQ(o.at("product_name"), "Baguette");
  EXPECT_EQ(o.at("status"), "succeeded");
  EXPECT_EQ(o.at("model"), "additive");
  EXPECT_EQ(o.at("fallback"), false);
  EXPECT_FALSE(o.contains("error"));
  EXPECT_FALSE(o.contains("fallback_reason"));
  EXPECT_EQ(o.at("metrics").at("mape").as_double(), 8.1);
  EXPECT_TRUE(o.at("metrics").at("mae").is_null());
  EXPECT_EQ(o.at("fit_ms").as_double(), 12.3457);
}

TEST(ProductResultJson, FailedAndFallbackFields) {
  ProductResult r;
  r.product = "Croissant";
  r.status = "failed";
  r.error = "only 3 days of history";
  const auto o = to_json(r);
  EXPECT_EQ(o.at("error"), "only 3 days of history");
  EXPECT_TRUE(o.at("model").is_null());

  r.status = "succeeded";
  r.model = "seasonal_naive";
  r.fallback = true;
  r.fallback_reason = "did not beat seasonal naive";
  const auto f = to_json(r);
  EXPECT_FALSE(f.contains("error"));
  EXPECT_EQ(f.at("fallback"), true);
  EXPECT_EQ(f.at("fallback_reason"), "did not beat seasonal naive");
}

TEST(JobRecordJson, FieldNamesAndValues) {
  JobRecord j;
  j.job_id = "j1";
  j.tenant_id = "bakery-7";
  j.status = JobStatus::running;
  j.progress = 35;
  j.seq = 17;
  j.total_products = 60;
  j.products_completed = 15;
  j.horizon_days = 14;
  j.current_step = "Model Training";
  j.created_at_us = 1'795'782'896'789'123;
  j.started_at_us = 1'795'782'897'000'000;
  ProductResult r;
  r.product = "Baguette";
  r.status = "succeeded";
  r.model = "additive";
  j.results.push_back(r);

  const auto o = to_json(j);
  EXPECT_EQ(o.at("job_id"), "j1");
  EXPECT_EQ(o.at("tenant_id"), "bakery-7");
  EXPECT_EQ(o.at("status"), "running");
  EXPECT_EQ(o.at("progress"), 35);
  EXPECT_EQ(o.at("seq"), 17u);
  EXPECT_EQ(o.at("total_products"), 60);
  EXPECT_EQ(o.at("products_completed"), 15);
  EXPECT_EQ(o.at("horizon_days"), 14);
  EXPECT_EQ(o.at("current_step"), "Model Training");
  EXPECT_FALSE(o.contains("error"));
  EXPECT_EQ(o.at("created_at"), "2026-11-27T12:34:56.789123Z");
  EXPECT_EQ(o.at("started_at"), "2026-11-27T12:34:57.000000Z");
  EXPECT_TRUE(o.at("finished_at").is_null());
  ASSERT_EQ(o.at("products").as_array().size(), 1u);
  EXPECT_EQ(o.at("products").as_array()[0].at("product_name"), "Baguette");
  EXPECT_TRUE(o.at("requested_products").as_array().empty());

  j.status = JobStatus::cancelled;
  j.error = "cancelled by user";
  const auto c = to_json(j);
  EXPECT_EQ(c.at("status"), "cancelled");
  EXPECT_EQ(c.at("error"), "cancelled by user");
}

TEST(StoredModelJson, FieldNames) {
  StoredModel m;
  m.tenant_id = "t";
  m.product = "Baguette";
  m.job_id = "j1";
  m.trained_at_us = 1'795'782'896'789'123;
  m.report.model = "seasonal_naive";
  m.report.fallback = true;
  m.report.fallback_reason = "no better than last week";
  m.report.holdout.mae = 2.0;
  m.report.forecast.resize(7);
  const auto o = to_json(m);
  EXPECT_EQ(o.at("product"), "Baguette");
  EXPECT_EQ(o.at("job_id"), "j1");
  EXPECT_EQ(o.at("model"), "seasonal_naive");
  EXPECT_EQ(o.at("fallback"), true);
  EXPECT_EQ(o.at("fallback_reason"), "no better than last week");
  EXPECT_EQ(o.at("metrics").at("mae").as_double(), 2.0);
  EXPECT_TRUE(o.at("metrics").at("mape").is_null());
  EXPECT_EQ(o.at("trained_at"), "2026-11-27T12:34:56.789123Z");
  EXPECT_EQ(o.at("horizon_days"), 7u);

  m.report.fallback = false;
  m.report.fallback_reason.clear();
  EXPECT_TRUE(to_json(m).at("fallback_reason").is_null());
}

}  // namespace
}  // namespace levain::training
