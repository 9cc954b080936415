#include "cli/client/job_summary.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace levain::cli {
namespace {

TEST(JobSummary, TheAccuracyAndTheDataReportAsLinesAPersonReads) {
  LiveState state;
  ASSERT_EQ(state.apply(boost::json::parse(R"({"type":"connected","seq":0,"data":{"snapshot":{
      "job_id":"j","status":"pending","seq":0,"progress":0}}})")
                            .as_object()),
            LiveState::Apply::applied);
  EXPECT_TRUE(summary_lines(state).empty());
  ASSERT_EQ(state.apply(boost::json::parse(R"({"type":"progress","seq":1,"data":{"progress":20,
      "report":{"products":60,"days":730,"first_date":"2024-01-01","last_date":"2025-12-30",
      "rows_per_product":{"min":700,"median":730,"max":730},"products_with_gaps":2,
      "missing_days":9,"short_history_count":1,"stale_count":0,"closed_days_count":1,
      "sold_out_days_count":3,"negative_values":0,"unknown_values":0,"duplicates_replaced":4}}})")
                            .as_object()),
            LiveState::Apply::applied);
  ASSERT_EQ(state.apply(boost::json::parse(R"({"type":"product_completed","seq":2,"data":{
      "progress":21,"product_name":"Rye","status":"succeeded","summary":{"median_mase":0.834,
      "mean_mape":12.06,"fallbacks":1,"failed":0,"worst":[{"product_name":"Rye","mase":2.1}]}}})")
                            .as_object()),
            LiveState::Apply::applied);
  const auto lines = summary_lines(state);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0],
            "accuracy: median MASE 0.83, mean MAPE 12.1%, 1 fallback, 0 failed; worst: Rye 2.10");
  EXPECT_EQ(
      lines[1],
      "data: 60 products, 730 days from 2024-01-01 to 2025-12-30; rows per product "
      "700/730/730 (min/median/max); 2 products with gaps (9 days missing); 1 under 8 weeks "
      "(seasonal naive); 1 closed day; 3 days that look sold out; 4 rows replaced by the last "
      "upload");
}

}  // namespace
}  // namespace levain::cli
