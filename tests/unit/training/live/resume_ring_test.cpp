#include "training/live/resume_ring.hpp"

#include <gtest/gtest.h>

using namespace levain::training;
using namespace std::chrono_literals;

namespace {

using Clock = ResumeRings::Clock;
const Clock::time_point t0{};

EventPtr ev(std::uint64_t seq, bool terminal = false, std::size_t bytes = 10) {
  return std::make_shared<const OutboundEvent>(
      OutboundEvent{seq, terminal, terminal ? "completed" : "progress",
                    std::make_shared<const std::string>(bytes, 'x')});
}

std::vector<std::uint64_t> seqs(const std::optional<std::vector<EventPtr>>& events) {
  std::vector<std::uint64_t> out;
  for (const auto& e : events.value()) out.push_back(e->seq);
  return out;
}

TEST(ResumeRings, ServesExactlyWhatFollowsSince) {
  ResumeRings rings({});
  for (std::uint64_t s = 1; s <= 5; ++s) rings.add("j", ev(s), t0);
  EXPECT_EQ(seqs(rings.after("j", 2, t0)), (std::vector<std::uint64_t>{3, 4, 5}));
  EXPECT_EQ(seqs(rings.after("j", 5, t0)), std::vector<std::uint64_t>{});
  EXPECT_EQ(seqs(rings.after("j", 1, t0)), (std::vector<std::uint64_t>{2, 3, 4, 5}));
}

TEST(ResumeRings, CannotServeWhatItNeverHeld) {
  ResumeRings rings({});
  for (std::uint64_t s = 4; s <= 6; ++s) rings.add("j", ev(s), t0);  // joined mid-job
  EXPECT_FALSE(rings.after("j", 2, t0));                             // 3 was never seen here
  EXPECT_TRUE(rings.after("j", 3, t0));                              // 4… all here
  EXPECT_FALSE(rings.after("j", 7, t0));                             // a seq from the future
  EXPECT_FALSE(rings.after("j", 0, t0));  // nothing folded yet: the snapshot
  EXPECT_FALSE(rings.after("other", 3, t0));
}

TEST(ResumeRings, BoundedInCountAndBytes) {
  ResumeRings by_count({.events = 3});
  for (std::uint64_t s = 1; s <= 10; ++s) by_count.add("j", ev(s), t0);
  EXPECT_EQ(seqs(by_count.after("j", 7, t0)), (std::vector<std::uint64_t>{8, 9, 10}));
  EXPECT_FALSE(by_count.after("j", 6, t0));

  ResumeRings by_bytes({.events = 100, .bytes = 250});
  for (std::uint64_t s = 1; s <= 10; ++s) by_bytes.add("j", ev(s, false, 100), t0);
  EXPECT_EQ(by_bytes.bytes(), 200u);
  EXPECT_EQ(seqs(by_bytes.after("j", 8, t0)), (std::vector<std::uint64_t>{9, 10}));
  // One event alone is kept however large: the last one can always be resumed past.
  by_bytes.add("j", ev(11, false, 1000), t0);
  EXPECT_EQ(seqs(by_bytes.after("j", 10, t0)), std::vector<std::uint64_t>{11});
}

TEST(ResumeRings, RedeliveriesAndHoles) {
  ResumeRings rings({});
  rings.add("j", ev(1), t0);
  rings.add("j", ev(2), t0);
  rings.add("j", ev(2), t0);  // at-least-once: stored once
  rings.add("j", ev(1), t0);
  EXPECT_EQ(seqs(rings.after("j", 1, t0)), std::vector<std::uint64_t>{2});
  rings.add("j", ev(5), t0);  // 3 and 4 were lost on the bus
  EXPECT_FALSE(rings.after("j", 2, t0));
  EXPECT_EQ(seqs(rings.after("j", 4, t0)), std::vector<std::uint64_t>{5});
  EXPECT_EQ(rings.bytes(), 10u);
}

TEST(ResumeRings, TheEndOfAJobIsNotResumedPast) {
  ResumeRings rings({});
  rings.add("j", ev(1), t0);
  rings.add("j", ev(2, true), t0);
  EXPECT_EQ(seqs(rings.after("j", 1, t0)), std::vector<std::uint64_t>{2});
  EXPECT_FALSE(rings.after("j", 2, t0));  // the snapshot says it is over, and closes
}

TEST(ResumeRings, FreedAGraceAfterTheJobEnded) {
  ResumeRings rings({.grace = 60s});
  rings.add("j", ev(1), t0);
  rings.add("j", ev(2, true), t0 + 1s);
  rings.add("j", ev(2, true), t0 + 30s);  // a redelivered end does not extend the grace
  EXPECT_EQ(seqs(rings.after("j", 1, t0 + 60s)), std::vector<std::uint64_t>{2});
  EXPECT_FALSE(rings.after("j", 1, t0 + 61s));
  EXPECT_EQ(rings.jobs(), 0u);
  EXPECT_EQ(rings.bytes(), 0u);
}

TEST(ResumeRings, BoundedInJobsDroppingTheLeastRecentlyFed) {
  ResumeRings rings({.jobs = 2});
  rings.add("a", ev(1), t0);
  rings.add("b", ev(1), t0 + 1s);
  rings.add("a", ev(2), t0 + 2s);
  rings.add("c", ev(1), t0 + 3s);  // b is the stalest
  EXPECT_EQ(rings.jobs(), 2u);
  EXPECT_TRUE(rings.after("a", 1, t0 + 3s));
  EXPECT_FALSE(rings.after("b", 1, t0 + 3s));
  EXPECT_TRUE(rings.after("c", 1, t0 + 3s));
}

TEST(ResumeRings, ZeroEventsTurnsResumeOff) {
  ResumeRings rings({.events = 0});
  rings.add("j", ev(1), t0);
  rings.add("j", ev(2), t0);
  EXPECT_FALSE(rings.after("j", 1, t0));
  EXPECT_EQ(rings.jobs(), 0u);
}

}  // namespace
