// Issue 7: among 200 watchers of one job, 20 never read. The 180 others get every event and end
// at `completed`; the 20 are closed with 1008; the server's send queues stay within their byte
// bound the whole time (read from /metrics, never inferred from timing).
#include <algorithm>

#include "harness/fixture.hpp"
#include "harness/json_access.hpp"
#include "harness/stream_checks.hpp"
#include "harness/wait.hpp"
#include "loadgen/watchers.hpp"
#include "scale_support.hpp"

namespace levain::integration {
namespace {

// The per-session limit must absorb the server's own lag behind a burst of events (a reader's
// queue also holds what the I/O threads have not written yet), while the whole stream (~450
// bytes × 403 events) is about three times larger, so a client that never reads overflows it.
// Two years of history and one training thread pace the events (a fit takes milliseconds even
// in the sanitizer build), so 180 readers in one client thread keep well within their limit
// even where everything but the model is compiled without optimisation.
constexpr int kProducts = 400;
constexpr int kDays = 730;
constexpr int kQueueBytes = 64 * 1024;
constexpr int kSlow = 20;
constexpr int kReaders = 180;

class SlowConsumerScaleTest : public LevainTest {};

TEST_F(SlowConsumerScaleTest, TwentyStalledOfTwoHundredAreCutAndTheRestMissNothing) {
  start_server({"--ws-send-queue-bytes", std::to_string(kQueueBytes), "--ws-idle-timeout", "600",
                "--max-concurrent-jobs", "1", "--train-threads", "1"});
  const auto port = server().port();
  const std::string tok = token({"bakery"});
  upload("bakery", tok, demo_csv(kProducts, kDays, 17));
  // The watched job waits behind a blocker until every watcher has joined.
  const std::string blocker = start_job("bakery", tok);
  const std::string job = start_job("bakery", tok);
  const std::string target = live_target("bakery", job, tok);

  // A tiny receive buffer and a 536-byte MSS keep the kernel from absorbing the stream on
  // loopback, so what these do not read backs up into the server's own queue.
  WsOptions stalled;
  stalled.receive_buffer_bytes = 1024;
  stalled.max_segment_bytes = 536;
  stalled.read_deadline = std::chrono::seconds(600);
  std::vector<std::unique_ptr<WsClient>> slow;
  for (int i = 0; i < kSlow; ++i) {
    slow.push_back(std::make_unique<WsClient>(port, target, stalled));
    ASSERT_FALSE(slow.back()->ended()) << slow.back()->end().describe();
  }

  MetricSampler queued(port, "levain_ws_send_queue_bytes");
  loadgen::WatcherHooks hooks;
  hooks.on_joined = [&] {
    const auto r = http().post(jobs_path("bakery") + "/" + blocker + "/cancel", tok, "");
    EXPECT_TRUE(r.status == 202 || r.status == 409) << r.summary();
  };
  const auto run = loadgen::run_watchers(watchers_of(port, target, kReaders), hooks);
  const auto done = wait_terminal("bakery", tok, job);
  queued.stop();
  ASSERT_EQ(str_at(done, "status"), "completed") << dump(done);
  const auto final_seq = static_cast<std::uint64_t>(int_at(done, "seq"));
  EXPECT_EQ(final_seq, static_cast<std::uint64_t>(kProducts + 3));

  // The readers: every event after their snapshot, in order, ending at `completed` and 1000.
  ASSERT_TRUE(run.setup_error.empty()) << run.setup_error;
  EXPECT_FALSE(run.timed_out);
  ASSERT_EQ(run.clients.size(), static_cast<std::size_t>(kReaders));
  std::uint32_t largest = 0;
  for (std::size_t i = 0; i < run.clients.size(); ++i) {
    const auto& c = run.clients[i];
    ASSERT_TRUE(c.ledger.joined()) << "reader " << i << ": " << c.failure;
    const auto t = c.ledger.tally(final_seq);
    EXPECT_EQ(t.lost, 0u) << "reader " << i << " from seq " << c.ledger.snapshot_seq();
    EXPECT_EQ(t.duplicates, 0u) << "reader " << i;
    EXPECT_EQ(c.unparsed, 0u) << "reader " << i;
    EXPECT_EQ(c.ledger.terminal_seq(), final_seq) << "reader " << i;
    EXPECT_EQ(c.close_code, 1000) << "reader " << i << ": " << c.close_reason << c.error;
    for (const auto& m : c.messages) largest = std::max(largest, m.bytes);
  }

  // Bounded memory, two ways. While the stalled clients still read nothing, all the server
  // keeps for them is the one write in flight each (their queues were dropped at the overflow);
  // unbounded queues would hold 20 copies of the stream now. And during the run each session
  // held at most its limit plus the one message that crossed it.
  const double stalled_bound = kSlow * static_cast<double>(largest);
  EXPECT_TRUE(wait_until([&] {
    return scrape(port, "levain_ws_send_queue_bytes") <= stalled_bound;
  })) << "queued for the stalled clients: "
      << scrape(port, "levain_ws_send_queue_bytes") << " bytes, bound " << stalled_bound;
  EXPECT_EQ(scrape(port, "levain_ws_slow_consumer_closed_total"), kSlow);
  const double bound = (kSlow + kReaders) * (kQueueBytes + static_cast<double>(largest));
  EXPECT_GT(queued.samples(), 0u);
  EXPECT_LE(queued.max(), bound) << "largest message " << largest;

  // The stalled ones: cut off with 1008, and what they did get still follows the contract.
  for (std::size_t i = 0; i < slow.size(); ++i) {
    const auto& messages = slow[i]->read_until_close();
    EXPECT_EQ(slow[i]->end().code, 1008) << "stalled " << i << ": " << slow[i]->end().describe();
    if (!messages.empty()) {
      EXPECT_TRUE(starts_with_connected(messages, job)) << "stalled " << i;
      EXPECT_TRUE(events_follow_snapshot(messages)) << "stalled " << i;
    }
    EXPECT_LT(events_of(messages).size(), static_cast<std::size_t>(final_seq)) << "stalled " << i;
  }
  EXPECT_TRUE(wait_until([&] { return scrape(port, "levain_ws_send_queue_bytes") == 0; }))
      << "still queued: " << scrape(port, "levain_ws_send_queue_bytes");
  RecordProperty("send_queue_bytes_max", std::to_string(queued.max()));
  RecordProperty("send_queue_bytes_bound", std::to_string(bound));
  RecordProperty("metric_samples", std::to_string(queued.samples()));
}

}  // namespace
}  // namespace levain::integration
