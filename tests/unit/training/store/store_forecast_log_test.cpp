// The forecast log (both backends): what a served model forecast is kept per day and lead, and
// comes back once that day has sales, with whether it sold out; sold-out flags round-trip.
#include <gtest/gtest.h>

#include "store/store_backends.hpp"
#include "training/store/forecast_log.hpp"

namespace levain::training {
namespace {

using testing::day;
using testing::obs;

// A model whose forecast starts on `first` with `days` days of yhat = base + k.
StoredModel model_from(forecast::Date first, int days, double base) {
  StoredModel m;
  m.tenant_id = "t";
  m.product = "Pain";
  m.job_id = "j";
  m.trained_at_us = 1'764'246'896'000'000;
  m.report.model = "additive";
  for (int k = 0; k < days; ++k) {
    forecast::ForecastPoint p;
    p.date = first + std::chrono::days{k};
    p.yhat = base + k;
    p.lower = p.yhat - 2;
    p.upper = p.yhat + 2;
    m.report.forecast.push_back(p);
  }
  return m;
}

forecast::Observation sold_out(const std::string& product, forecast::Date date, double quantity) {
  auto o = obs(product, date, quantity);
  o.sold_out = true;
  return o;
}

class StoreForecastLog : public testing::StoreTest {};

TEST_P(StoreForecastLog, ForecastsComeBackOnceTheirDayHasSales) {
  const auto first = day(2026, 3, 1);
  store_.save_model(model_from(first, 28, 10));  // only the first kMaxLead days are logged
  EXPECT_TRUE(store_.met_forecasts("t", first, 100).empty()) << "no sales yet";
  store_.upsert_sales("t", {},
                      {obs("Pain", first, 9), sold_out("Pain", day(2026, 3, 2), 11),
                       obs("Pain", day(2026, 3, 20), 5), obs("Other", first, 1)});
  const auto met = store_.met_forecasts("t", first, 100);
  ASSERT_EQ(met.size(), 2u) << "day 20 is past lead 14, and Other has no model";
  EXPECT_EQ(met[0].product, "Pain");
  EXPECT_EQ(met[0].date, first);
  EXPECT_EQ(met[0].lead, 1);
  EXPECT_EQ(met[0].version, 1);
  EXPECT_DOUBLE_EQ(met[0].yhat, 10);
  EXPECT_DOUBLE_EQ(met[0].lower, 8);
  EXPECT_DOUBLE_EQ(met[0].upper, 12);
  EXPECT_DOUBLE_EQ(met[0].sold, 9);
  EXPECT_FALSE(met[0].sold_out);
  EXPECT_EQ(met[1].lead, 2);
  EXPECT_TRUE(met[1].sold_out);
  EXPECT_EQ(store_.met_forecasts("t", day(2026, 3, 2), 100).size(), 1u) << "from is inclusive";
  EXPECT_EQ(store_.met_forecasts("t", first, 1).size(), 1u) << "limit";
  EXPECT_TRUE(store_.met_forecasts("other", first, 100).empty());
}

TEST_P(StoreForecastLog, ANewerModelsForecastReplacesTheSameDayAndLeadOnly) {
  const auto first = day(2026, 3, 1);
  store_.save_model(model_from(first, 14, 10));
  store_.save_model(model_from(first + std::chrono::days{1}, 14, 50));  // a day later
  store_.upsert_sales("t", {}, {obs("Pain", day(2026, 3, 2), 9)});
  const auto met = store_.met_forecasts("t", first, 100);
  ASSERT_EQ(met.size(), 2u) << "the 2nd is lead 2 of v1 and lead 1 of v2";
  EXPECT_EQ(met[0].lead, 1);
  EXPECT_EQ(met[0].version, 2);
  EXPECT_DOUBLE_EQ(met[0].yhat, 50);
  EXPECT_EQ(met[1].lead, 2);
  EXPECT_EQ(met[1].version, 1);
  EXPECT_DOUBLE_EQ(met[1].yhat, 11);
}

TEST_P(StoreForecastLog, ARollbackLogsTheRestoredVersionsForecastAgain) {
  const auto first = day(2026, 3, 1);
  store_.save_model(model_from(first, 14, 10));
  store_.save_model(model_from(first, 14, 90));
  store_.upsert_sales("t", {}, {obs("Pain", first, 9)});
  ASSERT_EQ(store_.met_forecasts("t", first, 10).at(0).version, 2);
  ASSERT_TRUE(store_.rollback_model("t", "Pain", 1));
  const auto met = store_.met_forecasts("t", first, 10);
  ASSERT_EQ(met.size(), 1u);
  EXPECT_EQ(met[0].version, 1);
  EXPECT_DOUBLE_EQ(met[0].yhat, 10);
}

TEST_P(StoreForecastLog, SoldOutFlagsRoundTripAndCanBeCleared) {
  const auto d = day(2026, 3, 1);
  store_.upsert_sales("t", {}, {sold_out("Pain", d, 12), obs("Pain", d + std::chrono::days{1}, 3)});
  auto series = store_.load_series("t", "Pain");
  ASSERT_TRUE(series);
  ASSERT_EQ(series->sold_out.size(), 2u);
  EXPECT_EQ(series->sold_out[0], 1);
  EXPECT_EQ(series->sold_out[1], 0);
  store_.upsert_sales("t", {}, {obs("Pain", d, 12)});  // the correction: it did not sell out
  series = store_.load_series("t", "Pain");
  EXPECT_TRUE(series->sold_out.empty() || series->sold_out[0] == 0);
}

LEVAIN_STORE_BACKENDS(StoreForecastLog);

}  // namespace
}  // namespace levain::training
