#include "common/json_text.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <limits>

using levain::common::to_json_text;

TEST(JsonText, WritesDoublesPlainAndEverythingElseAsBoostDoes) {
  const boost::json::value v = {{"mae", 36.0655},
                                {"small", 1e-7},
                                {"n", 42},
                                {"s", "a\"b\n"},
                                {"list", {1.5, true, nullptr}}};
  const auto text = to_json_text(v);
  EXPECT_NE(text.find(R"("mae":36.0655)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("s":"a\"b\n")"), std::string::npos) << text;
  EXPECT_EQ(boost::json::parse(text), v);  // same value back, exactly
}

TEST(JsonText, NonFiniteDoublesBecomeNull) {
  const boost::json::value v = {{"nan", std::numeric_limits<double>::quiet_NaN()},
                                {"inf", std::numeric_limits<double>::infinity()}};
  EXPECT_EQ(to_json_text(v), R"({"nan":null,"inf":null})");
}
