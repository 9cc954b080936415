// Two `levain training` replicas sharing one RabbitMQ broker and one PostgreSQL database (the
// CTest fixtures' servers, a fresh database per test), with `levain gateway` in front
// (DESIGN.md §1): a job started on replica A streams the very same events to watchers on A, on
// B and through the gateway; a cancel sent to B stops A's job; and
// when A is killed mid-job, B notices the lapsed lease, ends the job `failed` and tells every
// watcher it can reach. A fan-out replica (--max-concurrent-jobs 0) only serves: a training
// replica runs the jobs it stores.

#include <algorithm>
#include <boost/json.hpp>
#include <map>

#include "harness/fixture.hpp"
#include "harness/json_access.hpp"
#include "harness/postgres_database.hpp"
#include "harness/rabbitmq_broker.hpp"
#include "harness/sse_client.hpp"
#include "harness/stream_checks.hpp"
#include "harness/temp_dir.hpp"
#include "harness/wait.hpp"
#include "training/store/open_store.hpp"

namespace levain::integration {
namespace {

using ::testing::AssertionFailure;
using ::testing::AssertionResult;
using ::testing::AssertionSuccess;

constexpr auto kReadyDeadline = std::chrono::seconds(240);
const std::string kTenant = "bakery";

class ClusterTest : public LevainTest {
 protected:
  void SetUp() override { database_url_ = fresh_test_database(); }

  /// A replica on the shared broker and this test's database, ready (bus and store) on return.
  LevainProcess& start_replica(const std::string& name, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--amqp-url",  shared_broker_url(), "--database-url",
                                     database_url_, "--train-threads",   "1"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto& replica = start_server(args, "data-" + name);
    const HttpClient client(replica.port());
    EXPECT_TRUE(wait_until([&] { return client.get("/readyz", "").status == 200; }, kReadyDeadline))
        << "replica " << name << " never ready:\n"
        << replica.log_tail();
    return replica;
  }

  std::unique_ptr<WsClient> watch_on(const LevainProcess& p, const std::string& job,
                                     const std::string& tok) {
    return watch(kTenant, job, tok, {}, p.port());
  }

  /// Uploads on `p` and starts a job there; returns its id.
  std::string start_job_on(const LevainProcess& p, const std::string& tok, const std::string& csv) {
    upload(kTenant, tok, csv, p.port());
    return start_job(kTenant, tok, R"({"allow_concurrent": true})", p.port());
  }

  boost::json::value job_on(const LevainProcess& p, const std::string& tok,
                            const std::string& job) {
    return get_job(kTenant, tok, job, p.port());
  }

  std::string database_url_;  // a fresh database on the `postgres` fixture's server
};

/// Every event `other` received is, byte for byte as JSON, the event with the same seq in
/// `reference` (which saw at least every seq `other` saw): one published event, not a look-alike.
AssertionResult same_events(const Messages& reference, const Messages& other) {
  const auto reference_events = events_of(reference);
  std::map<std::int64_t, const boost::json::value*> by_seq;
  for (const auto& m : reference_events) by_seq[int_at(m, "seq")] = &m;
  const auto events = events_of(other);
  if (events.empty()) return AssertionFailure() << "no events received";
  for (const auto& m : events) {
    const auto it = by_seq.find(int_at(m, "seq"));
    if (it == by_seq.end()) return AssertionFailure() << "not in the reference: " << dump(m);
    if (*it->second != m) {
      return AssertionFailure() << "differs from the reference:\n  " << dump(*it->second) << "\n  "
                                << dump(m);
    }
  }
  return AssertionSuccess();
}

std::int64_t first_event_seq(const Messages& messages) {
  const auto events = events_of(messages);
  return events.empty() ? -1 : int_at(events.front(), "seq");
}

TEST_F(ClusterTest, WatchersOnEitherReplicaAndThroughTheGatewayGetTheSameEvents) {
  auto& a = start_replica("a");
  auto& b = start_replica("b");
  auto& gateway = start_gateway({a.port(), b.port()});
  const auto tok = token({kTenant});
  // Long enough (about 0.2 s per fit under ASan, one thread) that every watcher joins early.
  constexpr int kProducts = 40;
  const auto job = start_job_on(a, tok, demo_csv(kProducts, 3 * 365, 11));

  // Two through the gateway: its round robin sends one to each replica.
  auto on_a = watch_on(a, job, tok);
  auto on_b = watch_on(b, job, tok);
  auto via_gateway_1 = watch_on(gateway, job, tok);
  auto via_gateway_2 = watch_on(gateway, job, tok);
  std::vector<WsClient*> all = {on_a.get(), on_b.get(), via_gateway_1.get(), via_gateway_2.get()};
  for (auto* c : all) c->read_until_close();

  // The earliest joiner is the reference; everyone saw a valid stream ending in `completed`.
  auto* reference = *std::min_element(all.begin(), all.end(), [](auto* x, auto* y) {
    return first_event_seq(x->messages()) < first_event_seq(y->messages());
  });
  for (auto* c : all) {
    ASSERT_TRUE(starts_with_connected(c->messages(), job)) << c->end().describe();
    EXPECT_TRUE(events_follow_snapshot(c->messages()));
    EXPECT_TRUE(ends_with(*c, "completed", 1000));
    EXPECT_TRUE(same_events(reference->messages(), c->messages()));
    // Joined while the job ran, so it saw product events, not just the end.
    EXPECT_GE(events_of(c->messages()).size(), 3u);
  }

  // One row is the truth on both replicas (all but `watchers`, which is live, not the job's).
  auto seen_by_a = job_on(a, tok, job);
  auto seen_by_b = job_on(b, tok, job);
  seen_by_a.as_object().erase("watchers");
  seen_by_b.as_object().erase("watchers");
  EXPECT_EQ(str_at(seen_by_b, "status"), "completed") << dump(seen_by_b);
  EXPECT_EQ(int_at(seen_by_b, "progress"), 100);
  EXPECT_EQ(int_at(seen_by_b, "products_completed"), kProducts);
  EXPECT_EQ(seen_by_a, seen_by_b);
}

TEST_F(ClusterTest, EventStreamsOnEitherReplicaCarryTheWebSocketBytesAndResumeAnywhere) {
  auto& a = start_replica("a");
  auto& b = start_replica("b");
  auto& gateway = start_gateway({a.port(), b.port()});
  const auto tok = token({kTenant});
  const auto job = start_job_on(a, tok, demo_csv(20, 3 * 365, 5));
  const auto target = live_target(kTenant, job, tok);
  auto ws_on_a = watch_on(a, job, tok);
  SseClient sse_on_b(b.port(), target);
  SseClient sse_via_gateway(gateway.port(), target);
  // One on B drops after its first product: it resumes after the job, on B and on A.
  SseClient dropped(b.port(), target);
  ASSERT_TRUE(dropped.read_until_type("product_completed")) << dropped.end().describe();
  const auto k = std::stoull(dropped.raw().back().id);
  dropped.cut();

  ws_on_a->read_until_close();
  ASSERT_TRUE(ends_with(*ws_on_a, "completed", 1000));
  // Events only: `connected` carries the seq of its snapshot, which is also the seq of the event
  // a watcher that connected earlier got on its own (a flake when both met in the map).
  std::map<std::int64_t, std::string> reference;
  for (std::size_t i = 1; i < ws_on_a->messages().size(); ++i) {
    reference[int_at(ws_on_a->messages()[i], "seq")] = ws_on_a->raw()[i];
  }
  const auto last = int_at(ws_on_a->messages().back(), "seq");
  for (auto* c : {&sse_on_b, &sse_via_gateway}) {
    c->read_until_close();
    EXPECT_EQ(c->end().code, 1000) << c->end().describe();
    EXPECT_TRUE(events_follow_snapshot(c->messages()));
    ASSERT_GE(c->raw().size(), 3u);
    for (std::size_t i = 1; i < c->raw().size(); ++i) {  // every event after `connected`
      const auto seq = int_at(c->messages()[i], "seq");
      if (reference.count(seq)) {
        EXPECT_EQ(c->raw()[i].data, reference[seq]) << "seq " << seq;
      }
    }
  }
  for (const auto* replica : {&b, &a}) {
    SseOptions resume;
    resume.headers = {{"Last-Event-ID", std::to_string(k)}};
    SseClient again(replica->port(), target, resume);
    again.read_until_close();
    const auto& m = again.messages();
    ASSERT_FALSE(m.empty()) << again.end().describe();
    EXPECT_TRUE(at(m.front(), "data/resumed").as_bool()) << dump(m.front());
    ASSERT_EQ(static_cast<std::int64_t>(m.size()), 1 + last - static_cast<std::int64_t>(k));
    for (std::size_t i = 1; i < m.size(); ++i) {
      EXPECT_EQ(again.raw()[i].data, reference[int_at(m[i], "seq")]);
    }
    EXPECT_EQ(again.end().code, 1000) << again.end().describe();
  }
}

TEST_F(ClusterTest, CancelSentToTheOtherReplicaStopsTheJob) {
  auto& a = start_replica("a");
  auto& b = start_replica("b");
  const auto tok = token({kTenant});
  const auto job = start_job_on(a, tok, demo_csv(200, 3 * 365, 12));
  auto on_a = watch_on(a, job, tok);
  auto on_b = watch_on(b, job, tok);
  ASSERT_TRUE(on_b->read_until_type("product_completed")) << on_b->end().describe();

  const auto r = HttpClient(b.port()).post(jobs_path(kTenant) + "/" + job + "/cancel", tok, "");
  ASSERT_EQ(r.status, 202) << r.summary();
  for (auto* c : {on_a.get(), on_b.get()}) {
    c->read_until_close();
    EXPECT_TRUE(events_follow_snapshot(c->messages()));
    ASSERT_TRUE(ends_with(*c, "failed", 1000));
    EXPECT_EQ(str_at(c->messages().back(), "data/reason"), "cancelled");
  }
  EXPECT_TRUE(same_events(on_a->messages(), on_b->messages()));
  EXPECT_EQ(str_at(job_on(a, tok, job), "status"), "cancelled");
}

TEST_F(ClusterTest, AFanOutReplicaLeavesItsJobsToTheTrainingReplicas) {
  // Alone, a fan-out replica stores the job and never runs it: it stays pending.
  auto& fan_out = start_replica("fan-out", {"--max-concurrent-jobs", "0"});
  const auto tok = token({kTenant});
  const auto job = start_job_on(fan_out, tok, demo_csv(20, 365, 14));
  auto watcher = watch_on(fan_out, job, tok);
  ASSERT_TRUE(watcher->read_until_type("connected")) << watcher->end().describe();
  ASSERT_TRUE(starts_with_connected(watcher->messages(), job));
  EXPECT_EQ(str_at(watcher->messages().front(), "data/snapshot/status"), "pending");

  // A training replica sharing the store takes it on its first sweep; the fan-out replica's
  // watcher sees the whole run through the bus.
  auto& trainer = start_replica("trainer");
  watcher->read_until_close();
  EXPECT_TRUE(events_follow_snapshot(watcher->messages()));
  ASSERT_TRUE(ends_with(*watcher, "completed", 1000)) << watcher->end().describe();
  EXPECT_EQ(str_at(job_on(fan_out, tok, job), "status"), "completed");
  // The trainer ran it, not the fan-out replica (each counts the jobs it finished itself).
  const std::string ran_one = "\nlevain_jobs_finished_total{status=\"completed\"} 1\n";
  const auto metrics_of = [](const LevainProcess& p) {
    return HttpClient(p.port()).get("/metrics", "").body;
  };
  EXPECT_NE(metrics_of(trainer).find(ran_one), std::string::npos) << metrics_of(trainer);
  EXPECT_EQ(metrics_of(fan_out).find(ran_one), std::string::npos) << metrics_of(fan_out);
}

TEST_F(ClusterTest, AJobThatMovedOnInTheStoreWithoutAnEventReachesItsWatchers) {
  // The chaos run's case: a trainer stored the job's end and was killed before its publisher
  // sent it (a broker that had just restarted), so no event will ever say it. The fan-out
  // replica's watcher hears nothing for --live-check-ms, its job is read from the store, and the
  // store being past the bus gives the watcher a fresh snapshot: the end, then a normal close.
  auto& fan_out =
      start_replica("fan-out", {"--max-concurrent-jobs", "0", "--live-check-ms", "300"});
  const auto tok = token({kTenant});
  const auto job = start_job_on(fan_out, tok, demo_csv(3, 200, 15));
  auto watcher = watch_on(fan_out, job, tok);
  ASSERT_TRUE(watcher->read_until_type("connected")) << watcher->end().describe();
  EXPECT_EQ(str_at(watcher->messages().front(), "data/snapshot/status"), "pending");

  // The dead trainer's last act, through the store's own code (the write it makes before a
  // publish): seq 3, failed.
  const TempDir scratch;
  const auto store = training::open_store(database_url_, scratch.path().string());
  auto record = store->get_job(kTenant, job);
  ASSERT_TRUE(record.has_value());
  record->status = training::JobStatus::failed;
  record->seq = 3;
  record->progress = 20;
  record->current_step = "Failed";
  record->error = "interrupted: its replica was killed";
  record->finished_at_us = record->created_at_us + 1;
  store->save_job(*record);

  watcher->read_until_close();
  const auto& got = watcher->messages();
  ASSERT_GE(got.size(), 2u);
  EXPECT_EQ(type_of(got.back()), "connected") << dump(got.back());
  EXPECT_EQ(str_at(got.back(), "data/snapshot/status"), "failed") << dump(got.back());
  EXPECT_EQ(int_at(got.back(), "seq"), 3);
  EXPECT_EQ(watcher->end().code, 1000) << watcher->end().describe();
  const auto metrics = HttpClient(fan_out.port()).get("/metrics", "").body;
  EXPECT_NE(metrics.find("\nlevain_live_store_ahead_total 1\n"), std::string::npos) << metrics;
  EXPECT_EQ(metrics.find("\nlevain_live_store_checks_total 0\n"), std::string::npos);
}

TEST_F(ClusterTest, WatchersAreCountedAcrossReplicasAndAVanishedReplicasExpire) {
  // Two serving replicas and a job nobody trains (it stays pending, so its watchers stay).
  const std::vector<std::string> serve = {"--max-concurrent-jobs", "0", "--presence-ttl", "6"};
  auto& a = start_replica("a", serve);
  auto& b = start_replica("b", serve);
  const auto tok = token({kTenant});
  const auto job = start_job_on(a, tok, demo_csv(5, 100, 3));
  auto on_a = watch_on(a, job, tok);
  ASSERT_TRUE(on_a->read_until_type("connected")) << on_a->end().describe();
  auto on_b = watch_on(b, job, tok);
  ASSERT_TRUE(on_b->read_until_type("connected")) << on_b->end().describe();
  // A hears of B's watcher over the bus (B says its counts within a second of the change).
  ASSERT_TRUE(on_a->read_until_watchers(2)) << on_a->end().describe();
  EXPECT_EQ(int_at(job_on(a, tok, job), "watchers"), 2);
  EXPECT_EQ(int_at(job_on(b, tok, job), "watchers"), 2);
  // B dies without a word: its watcher stops counting on A once B's counts are older than the TTL.
  b.kill9();
  ASSERT_TRUE(on_a->read_until_watchers(1)) << on_a->end().describe();
  EXPECT_EQ(int_at(job_on(a, tok, job), "watchers"), 1);
}

TEST_F(ClusterTest, AFanOutReplicaNeedsASharedStore) {
  const auto r = run_levain({"training", "--max-concurrent-jobs", "0"});
  EXPECT_NE(r.status.code, 0) << r.status.describe();
  EXPECT_NE(r.err.find("needs --database-url"), std::string::npos) << r.err;
  // … or a bus, for events published elsewhere (fanout_metrics_test.cpp runs that one).
  EXPECT_NE(r.err.find("--amqp-url"), std::string::npos) << r.err;
}

TEST_F(ClusterTest, ReplicaKilledMidJobEndsItFailedAndItsWatchersAreTold) {
  // Short leases: B declares A's job lost 1.5 s after A's last heartbeat.
  const std::vector<std::string> lease = {"--job-lease-ms", "1500"};
  auto& a = start_replica("a", lease);
  auto& b = start_replica("b", lease);
  auto& gateway = start_gateway({a.port(), b.port()});
  const auto tok = token({kTenant});
  const auto job = start_job_on(a, tok, demo_csv(200, 3 * 365, 13));

  auto on_a = watch_on(a, job, tok);
  auto on_b = watch_on(b, job, tok);
  auto via_gateway_1 = watch_on(gateway, job, tok);
  auto via_gateway_2 = watch_on(gateway, job, tok);
  ASSERT_TRUE(on_b->read_until_type("product_completed", 2)) << on_b->end().describe();
  const auto a_pid = a.pid();
  a.kill9();

  // A's own watcher loses its connection without a close frame.
  on_a->read_until_close();
  EXPECT_EQ(on_a->end().code, -1) << on_a->end().describe();

  on_b->read_until_close();
  ASSERT_TRUE(ends_with(*on_b, "failed", 1000)) << "pid " << a_pid;
  EXPECT_TRUE(events_follow_snapshot(on_b->messages()));
  EXPECT_NE(str_at(on_b->messages().back(), "data/error").find("interrupted"), std::string::npos)
      << dump(on_b->messages().back());

  // Through the gateway: the watcher bridged to A is told 1012 (its replica is gone), the one
  // bridged to B gets the same `failed` event as B's direct watcher.
  int told_failed = 0;
  int told_restart = 0;
  for (auto* c : {via_gateway_1.get(), via_gateway_2.get()}) {
    c->read_until_close();
    if (c->end().code == 1012) {
      ++told_restart;
    } else if (ends_with(*c, "failed", 1000)) {
      ++told_failed;
      EXPECT_TRUE(same_events(on_b->messages(), c->messages()));
    } else {
      ADD_FAILURE() << "neither 1012 nor `failed`: " << c->end().describe();
    }
  }
  EXPECT_EQ(told_restart, 1);
  EXPECT_EQ(told_failed, 1);

  const auto final_view = job_on(b, tok, job);
  EXPECT_EQ(str_at(final_view, "status"), "failed") << dump(final_view);
  // A watcher arriving afterwards gets the final snapshot and a normal close.
  auto late = watch_on(b, job, tok);
  late->read_until_close();
  ASSERT_TRUE(starts_with_connected(late->messages(), job));
  EXPECT_EQ(str_at(late->messages().front(), "data/snapshot/status"), "failed");
  EXPECT_EQ(late->end().code, 1000) << late->end().describe();
}

}  // namespace
}  // namespace levain::integration

namespace levain::integration {
namespace {

/// The close a watcher over its quota gets: 4029 and a JSON reason naming the limit.
AssertionResult refused_over(const WsEnd& end, const std::string& limit, std::int64_t value) {
  if (end.code != 4029) return AssertionFailure() << "not 4029: " << end.describe();
  boost::system::error_code ec;
  const auto reason = boost::json::parse(end.reason, ec);
  if (ec || !reason.is_object()) return AssertionFailure() << "reason not JSON: " << end.reason;
  if (str_at(reason, "limit") != limit || int_at(reason, "value") != value ||
      int_at(reason, "retry_after_s") <= 0 || str_at(reason, "message").empty()) {
    return AssertionFailure() << "reason: " << end.reason;
  }
  return AssertionSuccess();
}

TEST_F(ClusterTest, WatcherQuotasHoldAcrossReplicasAndThroughTheGateway) {
  // Jobs nobody trains stay pending, so their watchers stay; presence carries the counts.
  const std::vector<std::string> serve = {"--max-concurrent-jobs",       "0",
                                          "--quota-watchers-per-job",    "2",
                                          "--quota-watchers-per-tenant", "3"};
  auto& a = start_replica("a", serve);
  auto& b = start_replica("b", serve);
  auto& gateway = start_gateway({a.port()});
  // A tenant of this test alone: the broker is shared with the other cluster tests, whose
  // replicas' presence would count towards a common tenant's quota.
  const std::string tenant = "quota-" + std::to_string(::getpid());
  const auto tok = token({tenant});
  const auto on = [&](const LevainProcess& p, const std::string& job) {
    return watch(tenant, job, tok, {}, p.port());
  };
  upload(tenant, tok, demo_csv(3, 60, 3), a.port());
  const auto job1 = start_job(tenant, tok, R"({"allow_concurrent": true})", a.port());
  const auto job2 = start_job(tenant, tok, R"({"allow_concurrent": true})", a.port());

  auto a1 = on(a, job1);
  ASSERT_TRUE(a1->read_until_type("connected")) << a1->end().describe();
  auto b1 = on(b, job1);
  ASSERT_TRUE(b1->read_until_type("connected")) << b1->end().describe();
  ASSERT_TRUE(a1->read_until_watchers(2)) << "A never heard of B's watcher";

  // Job 1 is full on either door: A counts B's watcher as its own.
  auto over = on(a, job1);
  over->read_until_close();
  EXPECT_TRUE(refused_over(over->end(), "watchers_per_job", 2));
  auto via_gateway = on(gateway, job1);
  via_gateway->read_until_close();
  EXPECT_TRUE(refused_over(via_gateway->end(), "watchers_per_job", 2));
  SseClient sse(a.port(), live_target(tenant, job1, tok));
  sse.read_until_close();
  EXPECT_TRUE(refused_over(sse.end(), "watchers_per_job", 2));
  // `levain watch` shows the server's sentence and would wait its hint; here it may try once.
  const auto cli =
      run_levain({"watch", "--url", "http://127.0.0.1:" + std::to_string(a.port()), "--tenant",
                  tenant, "--token", tok, "--max-attempts", "1", "--job", job1});
  EXPECT_EQ(cli.status.code, 2) << cli.err;
  EXPECT_NE(cli.err.find("watcher quota reached (4029): at most 2 watchers per job"),
            std::string::npos)
      << cli.err;

  // The tenant's third watcher (job 2, on A) fits; a fourth, on B, does not once B knows.
  auto a2 = on(a, job2);
  ASSERT_TRUE(a2->read_until_type("connected")) << a2->end().describe();
  ASSERT_TRUE(
      wait_until([&] { return int_at(get_job(tenant, tok, job2, b.port()), "watchers") == 1; },
                 std::chrono::seconds(60)));
  auto b2 = on(b, job2);
  b2->read_until_close();
  EXPECT_TRUE(refused_over(b2->end(), "watchers_per_tenant", 3));

  // A refused watcher took no place: when B's watcher leaves, job 1 has room again on A.
  b1.reset();
  ASSERT_TRUE(a1->read_until_watchers(1)) << a1->end().describe();
  auto again = on(a, job1);
  ASSERT_TRUE(again->read_until_type("connected")) << again->end().describe();
}

}  // namespace
}  // namespace levain::integration
