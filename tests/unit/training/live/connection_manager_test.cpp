#include "training/live/connection_manager.hpp"

#include <gtest/gtest.h>

using namespace levain::training;

namespace {
struct RecordingSink : LiveSink {
  std::vector<std::uint64_t> seqs;
  std::optional<std::uint16_t> closed_with;
  void deliver(const EventPtr& e) override { seqs.push_back(e->seq); }
  void shutdown(std::uint16_t code, const std::string&) override { closed_with = code; }
};

std::shared_ptr<const OutboundEvent> event(std::uint64_t seq) {
  return std::make_shared<const OutboundEvent>(
      OutboundEvent{seq, false, "progress", std::make_shared<const std::string>("{}")});
}
}  // namespace

TEST(ConnectionManager, BroadcastReachesOnlyTheJobsSessions) {
  ConnectionManager m;
  auto a = std::make_shared<RecordingSink>();
  auto b = std::make_shared<RecordingSink>();
  auto other = std::make_shared<RecordingSink>();
  ASSERT_TRUE(m.join("job-1", a));
  ASSERT_TRUE(m.join("job-1", b));
  ASSERT_TRUE(m.join("job-2", other));
  m.broadcast("job-1", event(1));
  m.broadcast("job-1", event(2));
  EXPECT_EQ(a->seqs, (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(b->seqs, (std::vector<std::uint64_t>{1, 2}));
  EXPECT_TRUE(other->seqs.empty());
  EXPECT_EQ(m.session_count(), 3u);
  EXPECT_EQ(m.job_count(), 2u);
}

TEST(ConnectionManager, LeaveAndExpiredSessionsGetNothingAndAreCounted) {
  ConnectionManager m;
  auto a = std::make_shared<RecordingSink>();
  auto gone = std::make_shared<RecordingSink>();
  m.join("j", a);
  m.join("j", gone);
  m.leave("j", a.get());
  gone.reset();  // a session destroyed without leaving must not be called
  m.broadcast("j", event(1));
  EXPECT_TRUE(a->seqs.empty());
  EXPECT_EQ(m.session_count(), 1u);
}

TEST(ConnectionManager, LastLeaveForgetsTheJob) {
  ConnectionManager m;
  auto a = std::make_shared<RecordingSink>();
  m.join("j", a);
  m.leave("j", a.get());
  EXPECT_EQ(m.job_count(), 0u);
  EXPECT_EQ(m.session_count(), 0u);
  m.leave("j", a.get());  // twice is harmless
  EXPECT_EQ(m.session_count(), 0u);
}

TEST(ConnectionManager, ShutdownClosesEveryoneAndRefusesNewcomers) {
  ConnectionManager m;
  auto a = std::make_shared<RecordingSink>();
  auto b = std::make_shared<RecordingSink>();
  m.join("j1", a);
  m.join("j2", b);
  m.shutdown_all(1001, "server shutting down");
  EXPECT_EQ(a->closed_with, 1001);
  EXPECT_EQ(b->closed_with, 1001);
  EXPECT_FALSE(m.join("j1", std::make_shared<RecordingSink>()));
}

TEST(ConnectionManager, ResnapshotAllAsksEveryLiveSessionOfEveryJob) {
  struct ResyncSink : RecordingSink {
    int resnapshots = 0;
    void resnapshot() override { ++resnapshots; }
  };
  ConnectionManager m;
  auto a = std::make_shared<ResyncSink>();
  auto b = std::make_shared<ResyncSink>();
  auto gone = std::make_shared<ResyncSink>();
  auto left = std::make_shared<ResyncSink>();
  m.join("job-1", a);
  m.join("job-2", b);
  m.join("job-2", gone);
  m.join("job-2", left);
  m.leave("job-2", left.get());
  gone.reset();
  EXPECT_EQ(m.resnapshot_all(), 2u);
  EXPECT_EQ(a->resnapshots, 1);
  EXPECT_EQ(b->resnapshots, 1);
  EXPECT_EQ(left->resnapshots, 0);
  EXPECT_TRUE(a->seqs.empty());
}

TEST(ConnectionManager, AJoinThatResumesGetsTheRingsEventsThenOnlyLaterOnes) {
  ConnectionManager m;
  // Events of a job nobody watches on this replica are kept for watchers that come back.
  for (std::uint64_t s = 1; s <= 3; ++s) m.broadcast("job-1", event(s));
  auto back = std::make_shared<RecordingSink>();
  std::optional<std::vector<EventPtr>> replay;
  ASSERT_TRUE(m.join("job-1", back, 1, replay));
  ASSERT_TRUE(replay.has_value());
  ASSERT_EQ(replay->size(), 2u);
  EXPECT_EQ((*replay)[0]->seq, 2u);
  EXPECT_EQ((*replay)[1]->seq, 3u);
  m.broadcast("job-1", event(4));
  EXPECT_EQ(back->seqs, std::vector<std::uint64_t>{4});  // after the replay, nothing twice

  auto fresh = std::make_shared<RecordingSink>();
  std::optional<std::vector<EventPtr>> none;
  ASSERT_TRUE(m.join("job-1", fresh, 0, none));  // no since: the snapshot path
  EXPECT_FALSE(none.has_value());
  ASSERT_TRUE(m.join("job-9", fresh, 2, none));  // a job this replica never saw
  EXPECT_FALSE(none.has_value());
}
