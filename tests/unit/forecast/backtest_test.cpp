// The backtest's metrics against values computed by hand on a four-week series, and its
// handling of gaps, short products and the aggregate across products.
#include "forecast/backtest.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <cmath>
#include <sstream>

#include "forecast/backtest_report.hpp"
#include "forecast/dates.hpp"

namespace levain::forecast {
namespace {

constexpr std::size_t kLevain = 0, kNaive = 1, kMean4 = 2;

// Four weeks from a Monday. With horizon 7, 2 origins 7 days apart and 14 training days, the
// origins are day 14 (trained on weeks 0-1) and day 21 (trained on weeks 1-2).
Series four_weeks(const std::string& name, const std::vector<double>& w2, double factor = 1) {
  const std::vector<double> w0{10, 10, 10, 10, 10, 10, 10};
  const std::vector<double> w1{12, 10, 8, 10, 10, 10, 10};
  const std::vector<double> w3{10, 10, 10, 10, 10, 10, 10};
  Series s;
  s.product = name;
  s.start = *parse_iso_date("2024-01-01");
  for (const auto* w : {&w0, &w1, &w2, &w3}) {
    for (const double v : *w) s.y.push_back(v * factor);
  }
  return s;
}

const std::vector<double> kW2{11, 10, 10, 10, 10, 20, 0};

BacktestOptions options(int horizon, int origins, int spacing, int train_days) {
  BacktestOptions o;
  o.horizon = horizon;
  o.origins = origins;
  o.spacing = spacing;
  o.train_days = train_days;
  return o;
}

BacktestOptions tiny_options() { return options(7, 2, 7, 14); }

TEST(Backtest, HandComputedMetricsOnATinySeries) {
  const auto r = run_backtest({four_weeks("P", kW2)}, tiny_options());
  ASSERT_EQ(r.products.size(), 1u);
  const auto& p = r.products[0];
  EXPECT_EQ(p.skipped, "");
  // Origin 14: naive = week 1, actual = week 2, errors 1,0,2,0,0,10,10; scale = MAE(w1 - w0) = 4/7.
  // Origin 21: naive = week 2, actual = week 3, errors 1,0,0,0,0,10,10; scale = 23/7.
  const auto& naive = p.methods[kNaive];
  EXPECT_EQ(naive.origins, 2);
  EXPECT_EQ(naive.days, 14u);
  EXPECT_NEAR(naive.mean.mae, (23.0 / 7 + 21.0 / 7) / 2, 1e-12);
  EXPECT_NEAR(naive.mean.mase, ((23.0 / 7) / (4.0 / 7) + (21.0 / 7) / (23.0 / 7)) / 2, 1e-12);
  EXPECT_NEAR(naive.mean.rmse, (std::sqrt(205.0 / 7) + std::sqrt(201.0 / 7)) / 2, 1e-12);
  // MAPE over non-zero actual days: origin 14 has six (1/11, 2/10, 10/20), origin 21 seven.
  EXPECT_NEAR(naive.mean.mape, (100 * (1.0 / 11 + 0.2 + 0.5) / 6 + 100 * (0.1 + 1 + 1) / 7) / 2,
              1e-9);
  // Interval +-1.2816 sample sd of the lag-7 differences: sd sqrt(8/6) covers errors 0 and 1
  // (4 days), then sd sqrt((205 - 1/7)/6) = 5.84 covers all but the two errors of 10 (5 days).
  EXPECT_NEAR(naive.coverage, 9.0 / 14, 1e-12);

  // Mean of the last 4 same weekdays (only 2 in a 14-day window): (w0+w1)/2 then (w1+w2)/2.
  const auto& mean4 = p.methods[kMean4];
  EXPECT_NEAR(mean4.mean.mae, (21.0 / 7 + 12.5 / 7) / 2, 1e-12);
  EXPECT_NEAR(mean4.mean.mase, (3.0 / (4.0 / 7) + 12.5 / 23) / 2, 1e-12);
  EXPECT_TRUE(std::isnan(mean4.coverage));

  // 14 days is under 8 weeks: Levain's model is seasonal naive at both origins, and says so.
  EXPECT_EQ(p.levain_fallbacks, 2);
  EXPECT_EQ(r.levain_fits, 2);
  EXPECT_NEAR(p.methods[kLevain].mean.mase, naive.mean.mase, 1e-12);
  EXPECT_NEAR(p.methods[kLevain].coverage, naive.coverage, 1e-12);
}

TEST(Backtest, AggregateIsOverProductsWithADefinedMase) {
  const std::vector<double> flat{10, 10, 10, 10, 10, 10, 10};
  std::vector<Series> series{four_weeks("A", kW2), four_weeks("B", flat), four_weeks("C", kW2, 3)};
  Series constant = four_weeks("Constant", flat);  // zero naive scale: MASE undefined
  for (double& v : constant.y) v = 5;
  series.push_back(constant);
  Series short_one;
  short_one.product = "Short";
  short_one.start = *parse_iso_date("2024-01-01");
  short_one.y = {1, 2, 3, 4, 5};
  series.push_back(short_one);

  std::vector<std::string> progress;
  BacktestOptions o = tiny_options();
  o.on_product = [&](std::size_t done, std::size_t total, const std::string& name) {
    progress.push_back(std::to_string(done) + "/" + std::to_string(total) + " " + name);
  };
  const auto r = run_backtest(series, o);
  EXPECT_EQ(progress.back(), "5/5 Short");
  EXPECT_NE(r.products[4].skipped, "");
  EXPECT_EQ(r.products[4].methods[kNaive].origins, 0);
  EXPECT_TRUE(std::isnan(r.products[3].methods[kNaive].mean.mase));
  EXPECT_EQ(r.products[3].methods[kNaive].mean.mae, 0.0);

  // B: origin 14 MASE (4/7)/(4/7) = 1, origin 21 MASE 0 -> 0.5. A and C (A tripled): 5.75 and
  // 21/23 -> 3.3315. The aggregate runs over the six (product, origin) pairs with a MASE.
  const double a14 = (23.0 / 7) / (4.0 / 7), a21 = (21.0 / 7) / (23.0 / 7);
  const double a = (a14 + a21) / 2;
  EXPECT_NEAR(r.products[1].methods[kNaive].mean.mase, 0.5, 1e-12);
  EXPECT_NEAR(r.products[2].methods[kNaive].mean.mase, a, 1e-12);
  const auto& agg = r.aggregate[kNaive];
  EXPECT_EQ(agg.products, 3);
  EXPECT_EQ(agg.pairs, 6);
  EXPECT_NEAR(agg.median_mase, (a21 + 1.0) / 2, 1e-12);  // of 0, a21, a21, 1, a14, a14
  EXPECT_NEAR(agg.mean_mase, (2 * a14 + 2 * a21 + 1.0 + 0.0) / 6, 1e-12);
  EXPECT_NEAR(agg.median_product_mase, a, 1e-12);  // of 0.5, a, a
  EXPECT_TRUE(std::isfinite(agg.coverage));
  EXPECT_TRUE(std::isnan(r.aggregate[kMean4].coverage));
}

TEST(Backtest, GapsAtTheOriginAreAlignedByDate) {
  // 200 days of a weekly pattern with a little wobble; days 162-171 missing: the end of the last
  // origin's training window, and 10 of the first origin's 28 scored days.
  Series s;
  s.product = "Gappy";
  s.start = *parse_iso_date("2024-01-01");
  for (int d = 0; d < 200; ++d) s.y.push_back((d % 7 == 5 ? 30 : 10) + (d * 37 % 5) * 0.1);
  for (int d = 162; d < 172; ++d) s.y[d] = kNaN;
  const auto r = run_backtest({s}, options(28, 2, 28, 150));
  const auto& levain = r.products[0].methods[kLevain];
  EXPECT_EQ(levain.origins, 2);
  EXPECT_EQ(levain.days, 46u);
  EXPECT_TRUE(std::isfinite(levain.mean.mase));
  // The weekly pattern is forecast to within its wobble whichever model is kept; a forecast
  // shifted by a day would be off by 20 on two days a week.
  EXPECT_LT(levain.mean.mae, 1.0);
}

TEST(Backtest, WeekdayMeanUsesTheLastFourSameWeekdays) {
  std::vector<double> h;
  for (int w = 0; w < 6; ++w) {
    for (int d = 0; d < 7; ++d) h.push_back(w * 10 + d);
  }
  h[h.size() - 7] = kNaN;  // the latest Monday is missing: take the four before it
  const auto f = weekday_mean_forecast(h, 8);
  EXPECT_DOUBLE_EQ(f[0], (40 + 30 + 20 + 10) / 4.0);
  EXPECT_DOUBLE_EQ(f[1], (51 + 41 + 31 + 21) / 4.0);
  EXPECT_DOUBLE_EQ(f[7], f[0]);
  EXPECT_EQ(weekday_mean_forecast({}, 3), (std::vector<double>{0, 0, 0}));
}

TEST(BacktestReport, TableAndJsonCarryTheNumbers) {
  const auto r = run_backtest({four_weeks("Pan \"de\" pueblo", kW2)}, tiny_options());
  std::ostringstream table;
  write_backtest_table(table, r);
  EXPECT_NE(table.str().find("seasonal_naive"), std::string::npos);
  EXPECT_NE(table.str().find("3.332"), std::string::npos) << table.str();  // mean MASE

  const auto v = boost::json::parse(backtest_json(r));
  const auto& o = v.as_object();
  EXPECT_EQ(o.at("horizon").to_number<int>(), 7);
  const auto& naive = o.at("aggregate").at("seasonal_naive").as_object();
  EXPECT_NEAR(naive.at("median_mase").to_number<double>(), (5.75 + 21.0 / 23) / 2, 1e-5);
  EXPECT_EQ(
      o.at("products").at(0).at("methods").at("seasonal_naive").at("origin_mase").as_array().size(),
      2u);
  EXPECT_TRUE(o.at("aggregate").at("weekday_mean_4").at("coverage").is_null());
  const auto& product = o.at("products").as_array().at(0).as_object();
  EXPECT_EQ(product.at("product").as_string(), "Pan \"de\" pueblo");
  EXPECT_EQ(product.at("methods").at("levain").at("origins").to_number<int>(), 2);
}

}  // namespace
}  // namespace levain::forecast
