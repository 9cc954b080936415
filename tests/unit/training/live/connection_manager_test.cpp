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

TEST(ConnectionManager, AQuietJobIsCheckedAndItsSinksHearAStoreAheadOfTheBusOnce) {
  struct StoreSink : RecordingSink {
    std::vector<std::uint64_t> told;
    void store_ahead(std::uint64_t seq) override { told.push_back(seq); }
  };
  using std::chrono::seconds;
  ConnectionManager m({}, seconds(15), seconds(10));
  const auto t0 = QuietJobs::Clock::now();
  auto a = std::make_shared<StoreSink>();
  auto b = std::make_shared<StoreSink>();
  std::optional<std::vector<EventPtr>> none;
  m.join("job-1", "bakery", a, 0, none, {});
  m.join("job-1", "bakery", b, 0, none, {});
  m.broadcast("job-1", event(3));
  EXPECT_TRUE(m.quiet_jobs(t0 + seconds(5), 10).empty()) << "heard from just now";
  const auto due = m.quiet_jobs(t0 + seconds(20), 10);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].job_id, "job-1");
  EXPECT_EQ(due[0].tenant, "bakery");
  EXPECT_TRUE(m.quiet_jobs(t0 + seconds(21), 10).empty()) << "one check per interval";

  EXPECT_FALSE(m.store_at("job-1", 3)) << "the bus brought seq 3";
  EXPECT_TRUE(m.store_at("job-1", 5));
  EXPECT_EQ(a->told, std::vector<std::uint64_t>{5});
  EXPECT_EQ(b->told, std::vector<std::uint64_t>{5});
  EXPECT_FALSE(m.store_at("job-1", 5)) << "told once per seq the store gains";
  EXPECT_FALSE(m.store_at("job-2", 9)) << "nobody watches it here";

  m.leave("job-1", a.get());
  m.leave("job-1", b.get());
  EXPECT_TRUE(m.quiet_jobs(t0 + seconds(60), 10).empty()) << "forgotten with its last watcher";
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

namespace {

JoinResult join_as(ConnectionManager& m, const std::string& job, const std::string& tenant,
                   const std::shared_ptr<LiveSink>& sink, const WatcherCaps& caps) {
  std::optional<std::vector<EventPtr>> replay;
  return m.join(job, tenant, sink, 0, replay, caps);
}

}  // namespace

TEST(WatcherQuota, JoinsPastACapAreRefusedAndNotCounted) {
  ConnectionManager m;
  const WatcherCaps caps{.per_job = 2, .per_tenant = 3};
  std::vector<std::shared_ptr<RecordingSink>> sinks;
  for (int i = 0; i < 6; ++i) sinks.push_back(std::make_shared<RecordingSink>());
  const struct {
    const char* what;
    std::string job;
    std::string tenant;
    JoinOutcome outcome;
    std::size_t used;
  } steps[] = {
      {"first of job a", "a", "t1", JoinOutcome::joined, 0},
      {"second of job a", "a", "t1", JoinOutcome::joined, 0},
      {"third of job a: the job is full", "a", "t1", JoinOutcome::job_full, 2},
      {"job b of the same tenant", "b", "t1", JoinOutcome::joined, 0},
      {"fourth of the tenant: the tenant is full", "b", "t1", JoinOutcome::tenant_full, 3},
      {"another tenant is not affected", "c", "t2", JoinOutcome::joined, 0},
  };
  for (std::size_t i = 0; i < std::size(steps); ++i) {
    const auto& s = steps[i];
    const auto r = join_as(m, s.job, s.tenant, sinks[i], caps);
    EXPECT_EQ(r.outcome, s.outcome) << s.what;
    EXPECT_EQ(r.used, s.used) << s.what;
  }
  EXPECT_EQ(m.session_count(), 4u) << "refused joins hold no place";
  EXPECT_EQ(m.tenant_watchers("t1"), 3u);
  EXPECT_EQ(m.local_tenant_watchers(), (WatcherCounts{{"t1", 3}, {"t2", 1}}));
  // A leave frees a place, for the job and for the tenant.
  m.leave("a", sinks[0].get());
  EXPECT_EQ(m.tenant_watchers("t1"), 2u);
  EXPECT_EQ(join_as(m, "a", "t1", sinks[2], caps).outcome, JoinOutcome::joined);
  m.broadcast("a", event(1));
  EXPECT_TRUE(sinks[0]->seqs.empty());
  EXPECT_EQ(sinks[2]->seqs, std::vector<std::uint64_t>{1});
}

TEST(WatcherQuota, OtherReplicasWatchersCount) {
  ConnectionManager m;
  const WatcherCaps caps{.per_job = 5, .per_tenant = 4};
  m.presence("r2", {{"a", 4}}, {{"t1", 4}});
  EXPECT_EQ(m.tenant_watchers("t1"), 4u);
  const auto sink = std::make_shared<RecordingSink>();
  EXPECT_EQ(join_as(m, "a", "t1", sink, caps).outcome, JoinOutcome::tenant_full);
  EXPECT_EQ(join_as(m, "a", "t1", sink, {.per_job = 4, .per_tenant = 0}).outcome,
            JoinOutcome::job_full);
  m.presence("r2", {{"a", 1}}, {{"t1", 1}});  // watchers left r2
  EXPECT_EQ(join_as(m, "a", "t1", sink, caps).outcome, JoinOutcome::joined);
  EXPECT_EQ(join_as(m, "a", "t1", std::make_shared<RecordingSink>(), {}).outcome,
            JoinOutcome::joined)
      << "no caps: no limit";
}

TEST(WatcherQuota, TheCloseReasonIsJsonThatFitsACloseFrame) {
  const auto small = watcher_quota_reason({JoinOutcome::job_full, 2}, {.per_job = 2});
  EXPECT_EQ(small, R"({"limit":"watchers_per_job","value":2,"retry_after_s":10,)"
                   R"("message":"at most 2 watchers per job"})");
  const auto largest = watcher_quota_reason({JoinOutcome::tenant_full, 1'000'000},
                                            {.per_job = 0, .per_tenant = 1'000'000});
  EXPECT_LE(largest.size(), 123u) << largest;
  EXPECT_NE(watcher_quota_reason({JoinOutcome::job_full, 1}, {.per_job = 1})
                .find("at most 1 watcher per job"),
            std::string::npos);
  EXPECT_NE(largest.find(R"("limit":"watchers_per_tenant")"), std::string::npos);
}
