#include "loadgen/pump.hpp"

#include <gtest/gtest.h>

namespace levain::loadgen {
namespace {

TEST(Pump, KeepsAtMostTheLimitInFlightInOrder) {
  Pump pump;
  std::vector<std::size_t> launched;
  pump.start({4, 2, 7, 1, 9}, 2, 0, [&](std::size_t i) { launched.push_back(i); });
  pump.pump();
  EXPECT_EQ(launched, (std::vector<std::size_t>{4, 2}));
  pump.pump();  // nothing finished: nothing new
  EXPECT_EQ(launched.size(), 2u);
  pump.done();
  EXPECT_EQ(launched, (std::vector<std::size_t>{4, 2, 7}));
  pump.done();
  pump.done();
  EXPECT_EQ(launched, (std::vector<std::size_t>{4, 2, 7, 1, 9}));
  EXPECT_TRUE(pump.all_launched());
}

TEST(Pump, ARateHoldsLaunchesBackUntilTheyAreDue) {
  Pump pump;
  std::size_t launched = 0;
  // One per 1000 s: only the first is due now, whatever the limit.
  pump.start({0, 1, 2}, 100, 0.001, [&](std::size_t) { ++launched; });
  pump.pump();
  pump.pump();
  EXPECT_EQ(launched, 1u);
  EXPECT_FALSE(pump.all_launched());
}

TEST(Pump, StopLaunchesNothingMore) {
  Pump pump;
  std::size_t launched = 0;
  pump.start({0, 1, 2}, 1, 0, [&](std::size_t) { ++launched; });
  pump.pump();
  pump.stop();
  pump.done();
  EXPECT_EQ(launched, 1u);
  EXPECT_TRUE(pump.all_launched());
}

TEST(Pump, AZeroLimitStillMakesProgress) {
  Pump pump;
  std::size_t launched = 0;
  pump.start({0, 1}, 0, 0, [&](std::size_t) { ++launched; });
  pump.pump();
  EXPECT_EQ(launched, 1u);
}

}  // namespace
}  // namespace levain::loadgen
