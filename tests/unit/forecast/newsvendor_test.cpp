// The newsvendor decision against hand-computed cases: the critical ratio, batches, a minimum
// batch, and the expected outcome under a known distribution.
#include "forecast/newsvendor.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace levain::forecast {
namespace {

// Demand uniform on [0, 100]: Q(p) = 100 p, E[min(D, q)] = q - q^2 / 200 for q <= 100.
double uniform(double p) { return 100 * p; }

TEST(Newsvendor, BakesTheQuantileAtTheCriticalRatio) {
  const auto d = plan_bake(uniform, {.unit_cost = 0.35, .price = 1});
  EXPECT_NEAR(d.service_level, 0.65, 1e-12);
  EXPECT_EQ(d.quantity, 65);
  EXPECT_NEAR(d.median, 50, 1e-9);
  EXPECT_NEAR(d.expected_sold, 65 - 65.0 * 65 / 200, 1e-3);  // 43.875
  EXPECT_NEAR(d.expected_waste, 65.0 * 65 / 200, 1e-3);
  EXPECT_NEAR(d.expected_lost_sales, 50 - 43.875, 1e-3);
  EXPECT_NEAR(d.expected_profit, 43.875 - 0.35 * 65, 1e-3);
}

TEST(Newsvendor, RoundsUpToBatchesAndRespectsTheMinimum) {
  // Q(0.8) = 80 -> two trays of 50 = 100 -> sells all demand: E[sold] = 50, waste 50.
  auto d = plan_bake(uniform, {.unit_cost = 0.2, .price = 1, .min_batch = 0, .batch_size = 50});
  EXPECT_EQ(d.quantity, 100);
  EXPECT_NEAR(d.expected_sold, 50, 1e-3);
  EXPECT_NEAR(d.expected_lost_sales, 0, 1e-9);
  // Q(0.8) = 80.4 is rounded up to whole units before batches: 81.
  d = plan_bake([](double p) { return 100.5 * p; }, {.unit_cost = 0.2, .price = 1});
  EXPECT_EQ(d.quantity, 81);
  // A minimum above the quantile wins.
  d = plan_bake(uniform, {.unit_cost = 0.9, .price = 1, .min_batch = 30, .batch_size = 1});
  EXPECT_EQ(d.quantity, 30);  // Q(0.1) = 10 < 30
}

TEST(Newsvendor, CostAtOrAbovePriceBakesOnlyTheMinimum) {
  auto d = plan_bake(uniform, {.unit_cost = 2, .price = 1, .min_batch = 0, .batch_size = 6});
  EXPECT_EQ(d.service_level, 0);
  EXPECT_EQ(d.quantity, 0);
  EXPECT_EQ(d.expected_sold, 0);
  EXPECT_NEAR(d.expected_lost_sales, 50, 1e-9);
  d = plan_bake(uniform, {.unit_cost = 1, .price = 1, .min_batch = 12, .batch_size = 6});
  EXPECT_EQ(d.quantity, 12);
}

TEST(Newsvendor, FreeBreadIsBakedAtTheTopOfTheDistributionNotForever) {
  const auto d = plan_bake(uniform, {.unit_cost = 0, .price = 1});
  EXPECT_EQ(d.quantity, 100);
  EXPECT_TRUE(std::isfinite(d.expected_profit));
}

TEST(Newsvendor, ZeroDemandBakesNothing) {
  const auto d = plan_bake([](double) { return 0.0; }, {.unit_cost = 0.3, .price = 1});
  EXPECT_EQ(d.quantity, 0);
  EXPECT_EQ(d.expected_waste, 0);
}

}  // namespace
}  // namespace levain::forecast
