// Issue 16: the fan-out measures itself (levain_fanout_seconds, levain_publish_to_bus_seconds:
// one observation per event), a fan-out-only replica over its own SQLite file takes events that
// `levain bench-publish` puts on the bus, and 2,000 idle watchers give their memory back
// (levain_heap_allocated_bytes) once they are gone. Nothing here is timed.
#include <boost/json.hpp>

#include "harness/fixture.hpp"
#include "harness/json_access.hpp"
#include "harness/rabbitmq_broker.hpp"
#include "harness/wait.hpp"
#include "loadgen/watchers.hpp"
#include "scale_support.hpp"

namespace levain::integration {
namespace {

constexpr auto kBrokerDeadline = std::chrono::seconds(240);

class FanoutMetricsTest : public LevainTest {
 protected:
  double metric(const std::string& sample) { return scrape(server().port(), sample); }

  /// A fan-out-only replica with a pending job of tenant `bakery`, on a broker of its own: the
  /// shared one carries other tests' events, which this replica would count and keep too.
  std::string pending_job_on_the_bus(const std::vector<std::string>& extra = {}) {
    broker_ = std::make_unique<PrivateBroker>(dir_ / "broker");
    std::vector<std::string> args = {"--amqp-url", broker_->url(), "--max-concurrent-jobs", "0"};
    args.insert(args.end(), extra.begin(), extra.end());
    start_server(args);
    EXPECT_TRUE(
        wait_until([&] { return http().get("/readyz", "").status == 200; }, kBrokerDeadline))
        << "never ready";
    tok_ = token({"bakery"});
    upload("bakery", tok_, demo_csv(3, 60, 5));
    return start_job("bakery", tok_);
  }

  /// Two rounds of 2,000 idle watchers of `target` on `port`, each round ended once `gone()`
  /// holds; the first grows the process's lasting pools (Asio's descriptor states, the tables)
  /// to their size. Then the heap of the process on `heap_port` (levain_heap_allocated_bytes)
  /// must have grown by more than 2 MB while the second round was joined, and be back within
  /// 512 KiB of where it was before it.
  void expect_idle_watchers_give_their_heap_back(std::uint16_t port, const std::string& target,
                                                 std::uint16_t heap_port,
                                                 const std::function<bool()>& gone) {
    const auto heap = [&] { return scrape(heap_port, "levain_heap_allocated_bytes"); };
    const auto round = [&](const std::function<void()>& joined) {
      auto config = watchers_of(port, target, 2000);
      config.hold = std::chrono::milliseconds(200);
      loadgen::WatcherHooks hooks;
      hooks.on_joined = joined;
      const auto run = loadgen::run_watchers(config, hooks);
      ASSERT_TRUE(run.setup_error.empty()) << run.setup_error;
      for (const auto& c : run.clients) ASSERT_TRUE(c.ledger.joined()) << c.failure;
      ASSERT_TRUE(wait_until(gone)) << "watchers still counted";
    };
    round([] {});
    const double before = heap();
    double joined = 0;
    round([&] { joined = heap(); });
    const double after = heap();
    EXPECT_GT(joined - before, 2000.0 * 1024) << "joined " << joined << ", before " << before;
    EXPECT_LT(after - before, 512.0 * 1024) << "after " << after << ", before " << before;
  }

  std::string tok_;
  std::unique_ptr<PrivateBroker> broker_;
};

TEST_F(FanoutMetricsTest, ASmallJobCountsOneFanoutAndOneBusTimePerEvent) {
  start_server({"--train-threads", "1"});
  const std::string tok = token({"bakery"});
  upload("bakery", tok, demo_csv(4, 120, 3));
  const std::string job = start_job("bakery", tok);
  auto watcher = watch("bakery", job, tok);
  watcher->read_until_close();
  const auto done = wait_terminal("bakery", tok, job);
  ASSERT_EQ(str_at(done, "status"), "completed") << dump(done);
  // started, the analysis, 4 products, completed: whether or not anyone watched each of them.
  const double events = 4 + 3;
  EXPECT_TRUE(wait_until([&] { return metric("levain_fanout_seconds_count") == events; }))
      << metric("levain_fanout_seconds_count");
  EXPECT_EQ(metric("levain_publish_to_bus_seconds_count"), events);
  EXPECT_EQ(metric("levain_bridge_events_total"), events);
  EXPECT_EQ(metric("levain_fanout_seconds_bucket{le=\"+Inf\"}"), events);
  EXPECT_GE(metric("levain_fanout_seconds_sum"), 0);
}

TEST_F(FanoutMetricsTest, SyntheticEventsFromBenchPublishReachAFanOutOnlyReplicasWatchers) {
  const std::string job = pending_job_on_the_bus();
  auto a = watch("bakery", job, tok_);
  auto b = watch("bakery", job, tok_);
  ASSERT_TRUE(a->read_until_type("connected")) << a->end().describe();
  ASSERT_TRUE(b->read_until_type("connected")) << b->end().describe();

  const auto published =
      run_levain({"bench-publish", "--amqp-url", broker_->url(), "--tenant", "bakery", "--job", job,
                  "--events", "12", "--rate", "200", "--json"});
  ASSERT_EQ(published.status.code, 0) << published.status.describe() << published.err;
  const auto report = boost::json::parse(published.out);
  EXPECT_EQ(int_at(report, "events"), 12);
  EXPECT_TRUE(report.at("confirmed").as_bool());

  for (auto* w : {a.get(), b.get()}) {
    w->read_until_close();
    std::vector<std::string> types;
    std::vector<std::int64_t> seqs;
    for (const auto& m : w->messages()) {
      types.push_back(str_at(m, "type"));
      seqs.push_back(int_at(m, "seq"));
    }
    ASSERT_EQ(types.size(), 13u) << w->end().describe();
    EXPECT_EQ(types.front(), "connected");
    EXPECT_EQ(types[1], "started");
    EXPECT_EQ(types[2], "progress");
    EXPECT_EQ(types.back(), "completed");
    for (std::size_t i = 1; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], static_cast<std::int64_t>(i));
    EXPECT_EQ(w->end().code, 1000);
    // The contract's body, made by the service's own tracker: ETA, in flight, running accuracy.
    const auto& product = w->messages()[5];
    EXPECT_EQ(str_at(product, "type"), "product_completed");
    EXPECT_TRUE(product.at("data").as_object().contains("eta_s")) << dump(product);
    EXPECT_TRUE(product.at("data").as_object().contains("in_flight")) << dump(product);
    EXPECT_TRUE(product.at("data").as_object().contains("summary")) << dump(product);
  }
  EXPECT_TRUE(wait_until([&] { return metric("levain_fanout_seconds_count") == 12; }));
  EXPECT_EQ(metric("levain_publish_to_bus_seconds_count"), 12);
  // The store of this replica never heard of the events: its job stays pending.
  EXPECT_EQ(str_at(get_job("bakery", tok_, job), "status"), "pending");
}

TEST_F(FanoutMetricsTest, TwoThousandIdleWatchersGiveTheirHeapBackOnceGone) {
  const std::string job = pending_job_on_the_bus({"--ws-idle-timeout", "600"});
  const auto port = server().port();
  expect_idle_watchers_give_their_heap_back(port, live_target("bakery", job, tok_), port,
                                            [&] { return metric("levain_ws_sessions") == 0; });
}

// The same through a gateway: each relay (the client's transport and the replica link) gives
// its heap back once its watcher is gone, and the service's sessions end too.
TEST_F(FanoutMetricsTest, TwoThousandIdleRelaysGiveTheGatewaysHeapBackOnceGone) {
  const std::string job = pending_job_on_the_bus({"--ws-idle-timeout", "600"});
  const auto replica = server().port();
  const auto gateway = start_gateway({replica}, {"--ws-idle-timeout", "600"}).port();
  expect_idle_watchers_give_their_heap_back(
      gateway, live_target("bakery", job, tok_), gateway, [&] {
        return scrape(gateway, "levain_gateway_ws_sessions") == 0 &&
               scrape(replica, "levain_ws_sessions") == 0;
      });
}

}  // namespace
}  // namespace levain::integration
