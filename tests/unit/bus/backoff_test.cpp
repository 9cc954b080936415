// Reconnect backoff: doubles up to the cap, jittered within the upper half of each step, and
// starts over after reset().

#include "bus/backoff.hpp"

#include <gtest/gtest.h>

using levain::bus::Backoff;
using ms = std::chrono::milliseconds;

TEST(Backoff, GrowsExponentiallyWithJitterUpToTheCap) {
  Backoff b(ms(100), ms(1000), 42);
  const std::int64_t caps[] = {100, 200, 400, 800, 1000, 1000, 1000};
  for (const auto cap : caps) {
    const auto d = b.next().count();
    EXPECT_GE(d, cap / 2) << "cap " << cap;
    EXPECT_LE(d, cap) << "cap " << cap;
  }
  for (int i = 0; i < 200; ++i) EXPECT_LE(b.next().count(), 1000);  // no overflow
  b.reset();
  const auto first = b.next().count();
  EXPECT_GE(first, 50);
  EXPECT_LE(first, 100);
}

TEST(Backoff, ReplicasWithDifferentSeedsDoNotRetryInLockstep) {
  Backoff a(ms(1000), ms(60000), 1);
  Backoff b(ms(1000), ms(60000), 2);
  int same = 0;
  for (int i = 0; i < 10; ++i) same += a.next() == b.next() ? 1 : 0;
  EXPECT_LT(same, 10);
}
