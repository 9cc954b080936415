// The real `levain training --amqp-url ...` binary over a real RabbitMQ: a job streams normally;
// the broker restarted in the middle of a job (every watcher still ends at `completed` with
// progress 100 and seq only going up, the outbox ends empty); and a replica started while the
// broker is down starts anyway, is not ready until the broker comes, then streams normally.

#include <boost/json.hpp>

#include "harness/fixture.hpp"
#include "harness/json_access.hpp"
#include "harness/rabbitmq_broker.hpp"
#include "harness/stream_checks.hpp"
#include "harness/wait.hpp"

namespace levain::integration {
namespace {

using ::testing::AssertionFailure;
using ::testing::AssertionResult;
using ::testing::AssertionSuccess;

constexpr auto kBrokerDeadline = std::chrono::seconds(240);

class RabbitMqTest : public LevainTest {
 protected:
  int readyz() { return http().get("/readyz", "").status; }

  /// One sample from /metrics (`name` or `name{labels}`); -1 when absent.
  double metric(const std::string& series) {
    const auto r = http().get("/metrics", "");
    const auto at = r.body.find("\n" + series + " ");
    return at == std::string::npos ? -1 : std::stod(r.body.substr(at + series.size() + 2));
  }

  std::unique_ptr<WsClient> watch_long(const std::string& tenant, const std::string& job,
                                       const std::string& tok) {
    WsOptions options;
    options.read_deadline = std::chrono::seconds(300);  // silent while the broker restarts
    return watch(tenant, job, tok, options);
  }
};

/// A stream that may hold more than one `connected` (the server re-sends the snapshot after the
/// bus reconnected): it starts with one; each later one is not behind what came before; events
/// follow the latest snapshot with consecutive seq; progress never goes back; it ends with
/// `completed` at progress 100.
AssertionResult resynced_stream_completes(const Messages& messages, const std::string& job_id) {
  if (auto first = starts_with_connected(messages, job_id); !first) return first;
  std::int64_t seq = 0;
  std::int64_t progress = 0;
  std::string last_type;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const auto& m = messages[i];
    const auto type = type_of(m);
    if (type == "pong") continue;
    last_type = type;
    const auto s = int_at(m, "seq");
    const auto p =
        type == "connected" ? int_at(m, "data/snapshot/progress") : int_at(m, "data/progress");
    if (type == "connected") {
      if (s < seq) return AssertionFailure() << "snapshot behind seq " << seq << ": " << dump(m);
    } else if (s != seq + 1) {
      return AssertionFailure() << "after seq " << seq << " came " << dump(m);
    }
    if (p < progress)
      return AssertionFailure() << "progress went back from " << progress << ": " << dump(m);
    seq = s;
    progress = p;
  }
  if (last_type != "completed" &&
      !(last_type == "connected" &&
        str_at(messages.back(), "data/snapshot/status") == "completed")) {
    return AssertionFailure() << "the stream does not end completed: " << dump(messages.back());
  }
  if (progress != 100) return AssertionFailure() << "ended at progress " << progress;
  return AssertionSuccess();
}

std::size_t count_connected(const Messages& messages) {
  return static_cast<std::size_t>(std::count_if(
      messages.begin(), messages.end(), [](const auto& m) { return type_of(m) == "connected"; }));
}

TEST_F(RabbitMqTest, AJobStreamsOverTheBroker) {
  start_server({"--amqp-url", shared_broker_url(), "--train-threads", "2"});
  ASSERT_TRUE(wait_until([&] { return readyz() == 200; }, kBrokerDeadline)) << "never ready";
  const std::string tenant = "bakery";
  const std::string tok = token({tenant});
  upload(tenant, tok, demo_csv(8, 200, 5));
  const std::string job = start_job(tenant, tok);
  auto c1 = watch(tenant, job, tok);
  auto c2 = watch(tenant, job, tok);
  c1->read_until_close();
  c2->read_until_close();
  for (auto* c : {c1.get(), c2.get()}) {
    ASSERT_TRUE(starts_with_connected(c->messages(), job));
    EXPECT_TRUE(events_follow_snapshot(c->messages()));
    EXPECT_TRUE(ends_with(*c, "completed", 1000));
  }
  // The events really went through the broker, and none is left waiting.
  EXPECT_TRUE(wait_until([&] { return metric("levain_bus_outbox_depth") == 0; }));
  EXPECT_GE(metric("levain_bus_confirmed_total"), 8 + 3);
  EXPECT_GE(metric("levain_bus_consumed_total"), 8 + 3);
  EXPECT_EQ(metric("levain_bus_connected{connection=\"consumer\"}"), 1);
}

TEST_F(RabbitMqTest, BrokerRestartMidJobEveryWatcherEndsCompleted) {
  PrivateBroker broker(dir_ / "broker");
  // The test reads its watchers one after the other, so each is silent for a while: a long idle
  // timeout keeps the server from dropping one that did not answer a protocol ping meanwhile.
  // The store check is kept out of the way: an outage longer than its interval would end the
  // watchers from the store before the consumer's resnapshot this test is about
  // (ClusterTest.AJobThatMovedOnInTheStoreWithoutAnEventReachesItsWatchers covers that path).
  start_server({"--amqp-url", broker.url(), "--train-threads", "1", "--amqp-heartbeat", "5",
                "--ws-idle-timeout", "3600", "--live-check-ms", "3600000"});
  ASSERT_TRUE(wait_until([&] { return readyz() == 200; }, kBrokerDeadline)) << "never ready";
  const std::string tenant = "bakery";
  const std::string tok = token({tenant});
  // Three years of history make each fit take a while (60-200 ms in the sanitizer build, one
  // thread): the job outlives the broker's stop (which alone can take several seconds) and
  // start, so events flow again after the restart.
  constexpr int kProducts = 400;
  upload(tenant, tok, demo_csv(kProducts, 3 * 365, 9));
  const std::string job = start_job(tenant, tok);
  auto c1 = watch_long(tenant, job, tok);
  auto c2 = watch_long(tenant, job, tok);

  // In the middle of the job (progress between 20 and 80): stop, wait, start.
  ASSERT_TRUE(c1->read_until_type("product_completed", 3)) << c1->end().describe();
  broker.stop();
  ASSERT_TRUE(wait_until([&] { return readyz() == 503; }, kBrokerDeadline)) << "still ready";
  // The answer says which part is down.
  const auto why = boost::json::parse(http().get("/readyz", "").body);
  EXPECT_EQ(why, boost::json::parse(R"({"ready":false,"bus":false,"store":true,"draining":false})"))
      << why;
  const auto during = get_job(tenant, tok, job);
  ASSERT_EQ(str_at(during, "status"), "running")
      << "the job ended before the broker went down: make it longer. " << dump(during);
  broker.start();
  ASSERT_TRUE(wait_until([&] { return readyz() == 200; }, kBrokerDeadline)) << "not ready again";
  auto c3 = watch_long(tenant, job, tok);  // joins after the restart

  for (auto* c : {c1.get(), c2.get(), c3.get()}) c->read_until_close();
  for (auto* c : {c1.get(), c2.get(), c3.get()}) {
    EXPECT_TRUE(resynced_stream_completes(c->messages(), job));
    EXPECT_EQ(c->end().code, 1000) << c->end().describe();
  }
  // The watchers from before the outage were re-sent the snapshot once the consumer was back
  // (the final one, if the job ended during the outage).
  EXPECT_GE(count_connected(c1->messages()), 2u);
  EXPECT_GE(count_connected(c2->messages()), 2u);

  const auto final_job = get_job(tenant, tok, job);
  EXPECT_EQ(str_at(final_job, "status"), "completed") << dump(final_job);
  EXPECT_EQ(int_at(final_job, "progress"), 100);
  EXPECT_TRUE(wait_until([&] { return metric("levain_bus_outbox_depth") == 0; }));
  EXPECT_GE(metric("levain_bus_reconnects_total{connection=\"publisher\"}"), 1);
  EXPECT_GE(metric("levain_bus_reconnects_total{connection=\"consumer\"}"), 1);
  EXPECT_GE(metric("levain_bridge_resnapshots_total"), 2);
  EXPECT_EQ(metric("levain_bus_outbox_dropped_total"), 0);
}

TEST_F(RabbitMqTest, ReplicaStartedWhileTheBrokerIsDownBecomesReadyWhenItComes) {
  PrivateBroker broker(dir_ / "broker");
  broker.stop();
  start_server({"--amqp-url", broker.url(), "--train-threads", "2"});
  EXPECT_EQ(http().get("/healthz", "").status, 200);
  const auto not_ready = http().get("/readyz", "");
  EXPECT_EQ(not_ready.status, 503) << not_ready.summary();
  EXPECT_FALSE(not_ready.json_ok && at(not_ready.json, "bus").as_bool()) << not_ready.summary();

  broker.start();
  ASSERT_TRUE(wait_until([&] { return readyz() == 200; }, kBrokerDeadline)) << "never ready";
  const std::string tenant = "bakery";
  const std::string tok = token({tenant});
  upload(tenant, tok, demo_csv(6, 200, 3));
  const std::string job = start_job(tenant, tok);
  auto c = watch(tenant, job, tok);
  c->read_until_close();
  ASSERT_TRUE(starts_with_connected(c->messages(), job));
  EXPECT_TRUE(events_follow_snapshot(c->messages()));
  EXPECT_TRUE(ends_with(*c, "completed", 1000));
}

}  // namespace
}  // namespace levain::integration
