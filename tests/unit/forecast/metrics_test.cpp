#include "forecast/metrics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace levain::forecast {
namespace {

TEST(Metrics, HandComputedValues) {
  // errors: 2, 0, 2, 4 -> MAE 2, RMSE sqrt(6)
  const std::vector<double> actual{10, 0, 4, 8};
  const std::vector<double> predicted{12, 0, 2, 4};
  const Accuracy a = evaluate(actual, predicted, 4.0);
  EXPECT_DOUBLE_EQ(a.mae, 2.0);
  EXPECT_DOUBLE_EQ(a.rmse, std::sqrt(6.0));
  // MAPE over non-zero actuals: (0.2 + 0.5 + 0.5) / 3
  EXPECT_NEAR(a.mape, 40.0, 1e-12);
  // sMAPE: 2*2/22, 0 (both zero), 2*2/6, 2*4/12 over 4 days
  EXPECT_NEAR(a.smape, 100.0 * (4.0 / 22 + 0 + 4.0 / 6 + 8.0 / 12) / 4, 1e-12);
  EXPECT_DOUBLE_EQ(a.mase, 0.5);
}

TEST(Metrics, UndefinedIsNaN) {
  const std::vector<double> zeros{0, 0};
  const Accuracy a = evaluate(zeros, zeros, 0.0);
  EXPECT_DOUBLE_EQ(a.mae, 0.0);
  EXPECT_TRUE(std::isnan(a.mape));
  EXPECT_TRUE(std::isnan(a.mase));
  const std::vector<double> nan{kNaN};
  EXPECT_TRUE(std::isnan(evaluate(nan, nan, 1.0).mae));
  EXPECT_TRUE(std::isnan(evaluate({}, {}, 1.0).rmse));
}

TEST(Metrics, MissingActualsAreSkipped) {
  const std::vector<double> actual{1, kNaN, 3};
  const std::vector<double> predicted{2, 100, 3};
  EXPECT_DOUBLE_EQ(evaluate(actual, predicted, 1.0).mae, 0.5);
}

TEST(Metrics, SeasonalNaiveScale) {
  // lag 7 pairs: (1,2), (2,4) -> |1|, |2| -> 1.5; the NaN pair is ignored.
  const std::vector<double> h{1, 2, kNaN, 0, 0, 0, 0, 2, 4, 5};
  EXPECT_DOUBLE_EQ(seasonal_naive_scale(h), 1.5);
  EXPECT_DOUBLE_EQ(seasonal_naive_scale(h, 1), (1.0 + 0 + 0 + 0 + 2 + 2 + 1) / 7);
  EXPECT_TRUE(std::isnan(seasonal_naive_scale(std::vector<double>{1, 2, 3})));
  EXPECT_TRUE(std::isnan(seasonal_naive_scale(h, 0)));
}

}  // namespace
}  // namespace levain::forecast
