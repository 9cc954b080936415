// The gateway against real `levain training` replicas: round robin, close-code passthrough,
// 1012 when a replica dies, 502/504 from replicas that cannot answer, slow clients, shutdown.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <fstream>

#include "harness/fixture.hpp"
#include "harness/json_access.hpp"
#include "harness/stream_checks.hpp"
#include "harness/wait.hpp"

namespace levain::integration {
namespace {

class GatewayTest : public LevainTest {
 protected:
  std::unique_ptr<WsClient> watch_via(std::uint16_t port, const std::string& tenant,
                                      const std::string& job_id, const std::string& tok,
                                      WsOptions options = {}) {
    return std::make_unique<WsClient>(port, live_target(tenant, job_id, tok), options);
  }

  /// A long job (200 products, one training thread on the replica) of tenant bakery, and a
  /// watcher through `gateway` with tiny kernel buffers: whatever it does not read soon waits in
  /// the gateway. Returns the watcher once its `connected` arrived.
  std::unique_ptr<WsClient> start_job_with_tiny_buffered_watcher(std::uint16_t gateway,
                                                                 const std::string& tok,
                                                                 std::string& job) {
    upload("bakery", tok, demo_csv(200, 120));
    job = start_job("bakery", tok);
    WsOptions tiny;
    tiny.receive_buffer_bytes = 1024;
    tiny.max_segment_bytes = 536;
    auto client = watch_via(gateway, "bakery", job, tok, tiny);
    EXPECT_TRUE(client->next().has_value()) << client->end().describe();
    return client;
  }
};

// A port that refuses connections: bound, never listened on, closed at the end.
class DeadPort {
 public:
  DeadPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~DeadPort() { ::close(fd_); }
  std::uint16_t port() const { return port_; }

 protected:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

// A replica that accepts connections and never answers (the kernel completes the handshake
// from the backlog): what a wedged process looks like from the gateway.
class SilentPort : public DeadPort {
 public:
  SilentPort() { ::listen(fd_, 16); }
};

TEST_F(GatewayTest, TwoReplicasRoundRobinOneWatcherGetsTheWholeJob) {
  auto& a = start_server({}, "data-a");
  auto& b = start_server({}, "data-b");
  auto& gw = start_gateway({a.port(), b.port()});
  const auto tok = token({"bakery"});
  const auto csv = demo_csv(6, 200);
  // Each replica has its own store on the in-process bus: give both the data.
  for (auto port : {a.port(), b.port()}) {
    ASSERT_EQ(HttpClient(port).post("/api/v1/tenants/bakery/sales", tok, csv, "text/csv").status,
              200);
  }
  const auto job = start_job("bakery", tok);
  const bool on_a = HttpClient(a.port()).get(jobs_path("bakery") + "/" + job, tok).status == 200;
  const bool on_b = HttpClient(b.port()).get(jobs_path("bakery") + "/" + job, tok).status == 200;
  ASSERT_NE(on_a, on_b) << "the job lives on exactly one replica";

  // Consecutive upgrades go to alternate replicas: one lands on the job's replica and sees all
  // of it; the other is told by its replica that there is no such job, and that close code
  // reaches the client through the gateway unchanged.
  auto first = watch_via(gw.port(), "bakery", job, tok);
  auto second = watch_via(gw.port(), "bakery", job, tok);
  first->read_until_close();
  second->read_until_close();
  WsClient* full = first->end().code == 1000 ? first.get() : second.get();
  WsClient* other = full == first.get() ? second.get() : first.get();
  ASSERT_EQ(full->end().code, 1000) << full->end().describe();
  EXPECT_TRUE(starts_with_connected(full->messages(), job));
  EXPECT_TRUE(events_follow_snapshot(full->messages()));
  // A six-product job may end before the watcher joins on a loaded machine: then the snapshot
  // itself says completed, and nothing follows it but the close.
  const bool done_in_snapshot =
      full->messages().size() == 1 &&
      str_at(full->messages().front(), "data/snapshot/status") == "completed";
  if (!done_in_snapshot) {
    EXPECT_TRUE(ends_with(*full, "completed", 1000));
  }
  EXPECT_EQ(other->end().code, 4004) << other->end().describe();
  EXPECT_FALSE(other->end().reason.empty());

  const auto gm = HttpClient(gw.port()).get("/metrics", "").body;
  EXPECT_NE(gm.find("levain_gateway_ws_frames_total{direction=\"to_client\"}"), std::string::npos);
}

TEST_F(GatewayTest, ReplicaKilledMidStreamClosesTheClientWith1012) {
  auto& replica = start_server({"--train-threads", "1"});
  auto& gw = start_gateway({replica.port()});
  const auto tok = token({"bakery"});
  upload("bakery", tok, demo_csv(150, 400));
  const auto job = start_job("bakery", tok);
  auto client = watch_via(gw.port(), "bakery", job, tok);
  ASSERT_TRUE(client->read_until_type("product_completed", 2)) << client->end().describe();
  replica.kill9();
  client->read_until_close();
  EXPECT_EQ(client->end().code, 1012) << client->end().describe();
  EXPECT_TRUE(events_follow_snapshot(client->messages()));
}

TEST_F(GatewayTest, NoReplicaReachableIs502ForRestAnd1012ForWebSockets) {
  DeadPort dead;
  auto& gw = start_gateway({dead.port()});
  const auto tok = token({"bakery"});
  const auto r = HttpClient(gw.port()).get(jobs_path("bakery"), tok);
  EXPECT_EQ(r.status, 502) << r.summary();
  ASSERT_TRUE(r.json_ok) << r.summary();
  EXPECT_EQ(str_at(r.json, "error/code"), "upstream_unavailable");
  EXPECT_EQ(HttpClient(gw.port()).get("/readyz", "").status, 503);
  EXPECT_EQ(HttpClient(gw.port()).get("/healthz", "").status, 200);
  auto client = watch_via(gw.port(), "bakery", "some-job", tok);
  client->read_until_close();
  EXPECT_EQ(client->end().code, 1012) << client->end().describe();
}

TEST_F(GatewayTest, NextReplicaIsTriedWhenOneRefusesConnections) {
  DeadPort dead;
  auto& replica = start_server();
  auto& gw = start_gateway({dead.port(), replica.port()});
  const auto tok = token({"bakery"});
  for (int i = 0; i < 4; ++i) {
    const auto r = HttpClient(gw.port()).get(jobs_path("bakery"), tok);
    EXPECT_EQ(r.status, 200) << r.summary();
  }
  EXPECT_EQ(HttpClient(gw.port()).get("/readyz", "").status, 200);
}

TEST_F(GatewayTest, ReplicaThatDoesNotAnswerIs504) {
  SilentPort silent;
  auto& gw = start_gateway({silent.port()}, {"--upstream-timeout", "1"});
  const auto r = HttpClient(gw.port()).get(jobs_path("bakery"), token({"bakery"}));
  EXPECT_EQ(r.status, 504) << r.summary();
  ASSERT_TRUE(r.json_ok) << r.summary();
  EXPECT_EQ(str_at(r.json, "error/code"), "upstream_timeout");
}

TEST_F(GatewayTest, RequestIdIsPassedAlongAndLoggedOnBothSides) {
  auto& replica = start_server();
  auto& gw = start_gateway({replica.port()});
  const auto r = HttpClient(gw.port()).request(
      "GET", jobs_path("bakery"), {},
      {{"Authorization", "Bearer " + token({"bakery"})}, {"X-Request-Id", "trace-abc-123"}});
  ASSERT_EQ(r.status, 200) << r.summary();
  EXPECT_TRUE(wait_until(
      [&] {
        return gw.log_tail(100000).find("trace-abc-123") != std::string::npos &&
               replica.log_tail(100000).find("trace-abc-123") != std::string::npos;
      },
      std::chrono::seconds(10)))
      << "gateway log:\n"
      << gw.log_tail() << "\nreplica log:\n"
      << replica.log_tail();
}

TEST_F(GatewayTest, ClientThatStopsReadingIsClosedWith1008WhileOthersGetEverything) {
  auto& replica = start_server({"--train-threads", "1"});
  auto& gw = start_gateway({replica.port()}, {"--ws-send-queue-bytes", "4096"});
  const auto tok = token({"bakery"});
  std::string job;
  auto stalled = start_job_with_tiny_buffered_watcher(gw.port(), tok, job);  // then stalls
  auto healthy = watch_via(gw.port(), "bakery", job, tok);
  healthy->read_until_close();
  EXPECT_TRUE(ends_with(*healthy, "completed", 1000));
  EXPECT_TRUE(events_follow_snapshot(healthy->messages()));
  stalled->read_until_close();
  EXPECT_EQ(stalled->end().code, 1008) << stalled->end().describe();
  const auto m = HttpClient(gw.port()).get("/metrics", "").body;
  EXPECT_NE(m.find("levain_gateway_ws_slow_closed_total 1"), std::string::npos) << m;
}

TEST_F(GatewayTest, ClientThatReadsOnlyOnceTheJobEndedGetsItAllInOrderThen1000) {
  auto& replica = start_server({"--train-threads", "1"});
  auto& gw = start_gateway({replica.port()});
  const auto tok = token({"bakery"});
  std::string job;
  auto client = start_job_with_tiny_buffered_watcher(gw.port(), tok, job);
  const auto queued = [&] {
    const auto m = HttpClient(gw.port()).get("/metrics", "").body;
    const std::string key = "\nlevain_gateway_ws_queued_bytes ";
    const auto at = m.find(key);
    return at == std::string::npos ? -1 : std::stoll(m.substr(at + key.size()));
  };
  // Unread while the job runs, the messages the kernels refuse wait in the gateway (under the
  // default bound), and so does the replica's close behind them.
  EXPECT_EQ(str_at(wait_terminal("bakery", tok, job), "status"), "completed");
  EXPECT_TRUE(wait_until([&] { return queued() > 0; }, std::chrono::seconds(30))) << queued();
  client->read_until_close();
  EXPECT_TRUE(events_follow_snapshot(client->messages()));
  EXPECT_TRUE(ends_with(*client, "completed", 1000));
  EXPECT_TRUE(wait_until([&] { return queued() == 0; }, std::chrono::seconds(30))) << queued();
}

TEST_F(GatewayTest, ShutdownTellsWatchers1001) {
  auto& replica = start_server({"--train-threads", "1"});
  auto& gw = start_gateway({replica.port()});
  const auto tok = token({"bakery"});
  // Hundreds of two-year fits on one thread: the job is still running when the gateway stops.
  upload("bakery", tok, demo_csv(400, 730));
  const auto job = start_job("bakery", tok);
  auto client = watch_via(gw.port(), "bakery", job, tok);
  // The snapshot, not `started`: a watcher that joins after the first events only gets them
  // folded into its snapshot.
  ASSERT_TRUE(client->read_until_type("connected")) << client->end().describe();
  ASSERT_NE(str_at(client->messages().front(), "data/snapshot/status"), "completed");
  // The client keeps reading while the gateway stops, so the close handshake can finish.
  gw.send_signal(SIGTERM);
  client->read_until_close();
  EXPECT_EQ(client->end().code, 1001) << client->end().describe();
  const auto status = gw.wait_exit();
  EXPECT_TRUE(status.exited && status.code == 0) << status.describe();
}

TEST_F(GatewayTest, LimitsAreEnforcedBeforeAnythingIsForwarded) {
  auto& replica = start_server();
  auto& gw =
      start_gateway({replica.port()}, {"--max-body-bytes", "2048", "--max-header-bytes", "2048"});
  const auto tok = token({"bakery"});
  const auto big = HttpClient(gw.port()).post("/api/v1/tenants/bakery/sales", tok,
                                              std::string(4096, 'x'), "text/csv");
  EXPECT_EQ(big.status, 413) << big.summary();
  const auto fat =
      HttpClient(gw.port()).request("GET", "/healthz", {}, {{"X-Padding", std::string(4096, 'p')}});
  EXPECT_EQ(fat.status, 431) << fat.summary();
  const auto bad = HttpClient(gw.port()).get("/api/v1/tenants/bad%2Ftenant/training/jobs", tok);
  EXPECT_EQ(bad.status, 400) << bad.summary();
  const auto unknown = HttpClient(gw.port()).get("/api/v2/anything", tok);
  EXPECT_EQ(unknown.status, 404) << unknown.summary();
}

}  // namespace
}  // namespace levain::integration
