// Issue 13, item 8: a client that floods pings (protocol pings, and text `ping` messages) and
// never reads is cut off with 1008 by the same send bound as events, on the service and through
// the gateway, and the send-queue gauges stay bounded and return to 0. Everything is read from
// /metrics and from what the client receives, never inferred from timing.
#include <string_view>

#include "harness/fixture.hpp"
#include "harness/json_access.hpp"
#include "harness/wait.hpp"
#include "raw_ws.hpp"
#include "scale_support.hpp"

namespace levain::integration {
namespace {

constexpr int kQueueBytes = 4096;
// More than enough: the kernel buffers of a tiny-buffered client take a few thousand answers,
// the bound a few hundred more. Without the bound every one of these would wait in the server.
constexpr int kMaxPings = 400000;
// Frames per write: a client that sends them one by one stalls itself first (its tiny receive
// buffer drops the segments that carry the server's acknowledgements), not the server.
constexpr int kBatch = 200;

// A door under test: its port and the names of its send-queue samples.
struct Door {
  std::uint16_t port;
  std::string queued;  // gauge of bytes queued towards clients
  std::string slow;    // counter of clients cut off by the send bound
};

Door service_door(std::uint16_t port) {
  return {port, "levain_ws_send_queue_bytes", "levain_ws_slow_consumer_closed_total"};
}
Door gateway_door(std::uint16_t port) {
  return {port, "levain_gateway_ws_queued_bytes", "levain_gateway_ws_slow_closed_total"};
}

class PingFloodTest : public LevainTest {
 protected:
  void SetUp() override { tok_ = token({"bakery", "cafe"}); }

  void start_replica() {
    start_server({"--ws-send-queue-bytes", std::to_string(kQueueBytes), "--ws-idle-timeout", "600",
                  "--max-concurrent-jobs", "1", "--train-threads", "1"});
  }

  /// A job of tenant cafe that stays pending for the whole test: one job runs at a time, and it
  /// waits behind thirty of bakery (minutes of work). Its `connected` is small next to the bound.
  std::string pending_job() {
    upload("bakery", tok_, demo_csv(200, 365, 21));
    upload("cafe", tok_, demo_csv(2, 60, 22));
    for (int i = 0; i < 30; ++i) start_job("bakery", tok_);
    watched_ = start_job("cafe", tok_);
    return watched_;
  }

  /// What the test rests on: the watched job was pending all along, so every byte the server
  /// sent it was an answer to its pings.
  void expect_still_pending(std::uint16_t port) {
    EXPECT_EQ(str_at(get_job("cafe", tok_, watched_, port), "status"), "pending");
  }

  /// Floods `door` with frames of `op` carrying `payload` and never reads; expects the client cut
  /// off with 1008 while every gauge in `bounded` stayed within the bound, then back to 0.
  void flood(const Door& door, const std::string& job, std::uint8_t op, std::string_view payload,
             const std::vector<Door>& bounded) {
    RawWsOptions tiny;
    tiny.receive_buffer_bytes = 1024;
    tiny.max_segment_bytes = 536;
    RawWs client(door.port, live_target("cafe", job, tok_), tiny);
    ASSERT_TRUE(client.ok()) << client.error();
    const double slow_before = scrape(door.port, door.slow);
    std::vector<std::unique_ptr<MetricSampler>> samplers;
    for (const auto& d : bounded)
      samplers.push_back(std::make_unique<MetricSampler>(d.port, d.queued));

    int sent = 0;
    for (; sent < kMaxPings; sent += kBatch) {
      if (scrape(door.port, door.slow) > slow_before) break;
      if (!client.send_many(op, payload, kBatch)) break;  // the read below says why
    }
    for (std::size_t i = 0; i < bounded.size(); ++i) {
      samplers[i]->stop();
      EXPECT_GT(samplers[i]->samples(), 0u);
      // The bound, one pong beyond it, and the close frame behind the frame in progress.
      EXPECT_LE(samplers[i]->max(), 2.0 * kQueueBytes) << bounded[i].queued << " after " << sent;
    }
    // It still reads what it was sent before the cut: a close with 1008, after the pongs the
    // kernel buffers held.
    EXPECT_EQ(client.read_close_code(), std::optional<int>(1008))
        << client.error() << " after " << sent << " frames";
    if (op == opcode::ping) {
      EXPECT_EQ(scrape(door.port, door.slow), slow_before + 1) << "cut off by the send bound";
    }
  }

  /// Once the client is gone, nothing stays queued for it.
  static void expect_drained(const std::vector<Door>& doors) {
    for (const auto& d : doors) {
      EXPECT_TRUE(wait_until([&] { return scrape(d.port, d.queued) == 0; }))
          << d.queued << ": " << scrape(d.port, d.queued);
    }
  }

  std::string tok_;
  std::string watched_;
};

TEST_F(PingFloodTest, ServiceCutsAClientThatPingsAndNeverReads) {
  start_replica();
  const auto job = pending_job();
  const auto door = service_door(server().port());
  const std::string ping(125, 'p');  // the largest a control frame may carry
  {
    SCOPED_TRACE("protocol pings");
    flood(door, job, opcode::ping, ping, {door});
  }
  expect_drained({door});
  {
    SCOPED_TRACE("text pings");
    flood(door, job, opcode::text, "ping", {door});
  }
  expect_drained({door});
  EXPECT_EQ(scrape(door.port, door.slow), 2);
  expect_still_pending(door.port);
}

TEST_F(PingFloodTest, GatewayCutsAClientThatPingsAndNeverReads) {
  start_replica();
  const auto replica = service_door(server().port());
  const auto job = pending_job();
  auto& gw = start_gateway({replica.port}, {"--ws-send-queue-bytes", std::to_string(kQueueBytes),
                                            "--ws-idle-timeout", "600"});
  const auto door = gateway_door(gw.port());
  const std::string ping(125, 'p');
  {
    SCOPED_TRACE("protocol pings");
    flood(door, job, opcode::ping, ping, {door, replica});
  }
  expect_drained({door, replica});
  {
    // Text pings go on to the replica, which answers each; the answers wait in the gateway.
    SCOPED_TRACE("text pings");
    flood(door, job, opcode::text, "ping", {door, replica});
  }
  expect_drained({door, replica});
  expect_still_pending(replica.port);
}

}  // namespace
}  // namespace levain::integration
