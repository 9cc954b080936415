#include "training/progress/accuracy_summary.hpp"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

using namespace levain::training;

namespace {

ProductResult product(std::string name, double mase, double mape, bool fallback = false,
                      std::string status = "succeeded") {
  ProductResult r;
  r.product = std::move(name);
  r.status = std::move(status);
  r.fallback = fallback;
  r.metrics.mase = mase;
  r.metrics.mape = mape;
  return r;
}

TEST(AccuracySummary, NullsBeforeAnyScoredProduct) {
  AccuracySummary s;
  EXPECT_EQ(boost::json::serialize(s.to_json()),
            R"({"median_mase":null,"mean_mape":null,"fallbacks":0,"failed":0,"worst":[]})");
  s.add(product("x", levain::forecast::kNaN, levain::forecast::kNaN, false, "failed"));
  EXPECT_EQ(boost::json::serialize(s.to_json()),
            R"({"median_mase":null,"mean_mape":null,"fallbacks":0,"failed":1,"worst":[]})");
}

TEST(AccuracySummary, MedianMeanFallbacksAndTheWorstFive) {
  AccuracySummary s;
  const double mases[] = {0.5, 1.5, 0.9, 2.5, 0.7, 1.1, 3.0};
  int i = 0;
  for (const double m : mases) {
    s.add(product("p" + std::to_string(i), m, 10.0 * (i + 1), i == 2));
    ++i;
  }
  s.add(product("nan", levain::forecast::kNaN, levain::forecast::kNaN));  // unscored: not median
  const auto j = s.to_json();
  EXPECT_DOUBLE_EQ(j.at("median_mase").as_double(), 1.1);  // of 0.5 0.7 0.9 1.1 1.5 2.5 3.0
  EXPECT_DOUBLE_EQ(j.at("mean_mape").as_double(), 40.0);   // 10..70
  EXPECT_EQ(j.at("fallbacks").to_number<std::int64_t>(), 1);
  EXPECT_EQ(j.at("failed").to_number<std::int64_t>(), 0);
  const auto& worst = j.at("worst").as_array();
  ASSERT_EQ(worst.size(), 5u);
  EXPECT_EQ(worst[0].at("product_name").as_string(), "p6");  // 3.0
  EXPECT_EQ(worst[1].at("product_name").as_string(), "p3");  // 2.5
  EXPECT_EQ(worst[4].at("product_name").as_string(), "p2");  // 0.9
}

TEST(AccuracySummary, EvenCountMedianIsTheMeanOfTheMiddleTwo) {
  AccuracySummary s;
  for (const double m : {1.0, 2.0, 3.0, 4.0}) s.add(product("p", m, 1));
  EXPECT_DOUBLE_EQ(s.to_json().at("median_mase").as_double(), 2.5);
}

}  // namespace
