// The send bound shared by the service's sessions and the gateway's relays, over a fake layer:
// what may be queued, when a flush decides, and the gauge.
#include "common/ws/send_bound.hpp"

#include <gtest/gtest.h>

#include "common/ws/close_reason.hpp"

namespace {

using levain::common::Gauge;
using levain::common::ws::SendBound;

// What SendBound needs of a CoalescingStream: its unsent bytes, and a flush that hands some of
// them to a kernel with `room` bytes free.
struct FakeLayer {
  std::size_t pending = 0;
  std::size_t room = 0;
  int flushes = 0;
  std::size_t pending_bytes() const { return pending; }
  void flush() {
    ++flushes;
    const auto n = std::min(pending, room);
    pending -= n;
    room -= n;
  }
};

TEST(SendBound, OneMessageAloneAlwaysGoesEvenOverTheBound) {
  Gauge gauge;
  SendBound bound(100, gauge);
  FakeLayer out;
  EXPECT_TRUE(bound.admit(out, 1000));
  EXPECT_EQ(out.flushes, 0);
}

TEST(SendBound, AMessageThatWouldCrossTheBoundIsRefusedUnlessAFlushMakesRoom) {
  Gauge gauge;
  SendBound bound(100, gauge);
  FakeLayer out{.pending = 90};
  EXPECT_TRUE(bound.admit(out, 10));  // exactly the bound
  EXPECT_EQ(out.flushes, 0);
  EXPECT_FALSE(bound.admit(out, 11));  // the kernel takes nothing
  EXPECT_EQ(out.flushes, 1);
  out.room = 50;
  EXPECT_TRUE(bound.admit(out, 11));  // only what the kernel refuses counts
  EXPECT_EQ(out.pending, 40u);
}

TEST(SendBound, BeastsOwnFramesCountAfterTheFactByTheSameRule) {
  Gauge gauge;
  SendBound bound(100, gauge);
  EXPECT_TRUE(bound.holds(100, 27));   // within the bound
  EXPECT_FALSE(bound.holds(101, 27));  // a pong took the queue over
  EXPECT_TRUE(bound.holds(127, 127));  // alone in the queue: one frame always goes
}

TEST(SendBound, TheGaugeFollowsAndForgetsAConnectionThatEnds) {
  Gauge gauge;
  {
    SendBound a(100, gauge);
    SendBound b(100, gauge);
    a.report(100);
    b.report(40);
    EXPECT_EQ(gauge.value(), 140);
    a.report(3);
    EXPECT_EQ(gauge.value(), 43);
    EXPECT_NE(a.reason().find("100 bytes"), std::string::npos);
  }
  EXPECT_EQ(gauge.value(), 0);
}

TEST(CloseReason, ALongReasonIsCutAtACharacterBoundary) {
  std::string reason(119, 'a');
  reason += "\xC3\xA9\xC3\xA9";  // é é: the 120th byte is inside the first one
  const auto r = levain::common::ws::make_close_reason(1008, reason);
  EXPECT_EQ(r.code, 1008);
  EXPECT_EQ(r.reason.size(), 119u);
  EXPECT_EQ(levain::common::ws::make_close_reason(1000, "short").reason, "short");
}

}  // namespace
