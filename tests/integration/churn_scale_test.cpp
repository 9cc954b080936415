// Issue 7: 2,000 WebSocket connects and disconnects (half a clean close, half a TCP reset)
// while a job runs leave no sessions, connections or file descriptors behind.
#include "harness/fixture.hpp"
#include "harness/json_access.hpp"
#include "harness/wait.hpp"
#include "loadgen/proc_stats.hpp"
#include "loadgen/watchers.hpp"
#include "scale_support.hpp"

namespace levain::integration {
namespace {

constexpr int kPerKind = 1000;

class ChurnScaleTest : public LevainTest {};

std::size_t open_fds(pid_t pid) {
  const auto n = loadgen::count_open_fds(static_cast<int>(pid));
  if (!n) throw std::runtime_error("cannot list /proc/" + std::to_string(pid) + "/fd");
  return *n;
}

TEST_F(ChurnScaleTest, TwoThousandConnectsAndDisconnectsLeaveNothingBehind) {
  start_server({"--ws-idle-timeout", "600"});
  const auto port = server().port();
  const auto pid = server().pid();
  const std::string tok = token({"bakery"});
  upload("bakery", tok, demo_csv(300, 60, 5));
  // The upload's connection may still be open on the server's side: if so the baseline is one
  // higher, which cannot hide 2,000 leaked sockets.
  const std::size_t baseline = open_fds(pid);
  const std::string job = start_job("bakery", tok);
  const std::string target = live_target("bakery", job, tok);

  std::size_t joined_mid_job = 0;
  for (const auto after : {loadgen::AfterJoin::close, loadgen::AfterJoin::abort}) {
    auto config = watchers_of(port, target, kPerKind);
    config.after_join = after;
    const auto run = loadgen::run_watchers(config);
    ASSERT_TRUE(run.setup_error.empty()) << run.setup_error;
    ASSERT_FALSE(run.timed_out);
    for (std::size_t i = 0; i < run.clients.size(); ++i) {
      ASSERT_TRUE(run.clients[i].ledger.joined())
          << "client " << i << ": " << run.clients[i].failure;
      if (run.clients[i].ledger.snapshot_seq() > 0) ++joined_mid_job;
    }
  }
  const auto done = wait_terminal("bakery", tok, job);
  EXPECT_EQ(str_at(done, "status"), "completed") << dump(done);

  EXPECT_TRUE(wait_until([&] { return scrape(port, "levain_ws_sessions") == 0; }))
      << "sessions: " << scrape(port, "levain_ws_sessions");
  // The scrape's own connection is the one still counted.
  EXPECT_TRUE(wait_until([&] { return scrape(port, "levain_http_connections") <= 1; }))
      << "connections: " << scrape(port, "levain_http_connections");
  EXPECT_EQ(scrape(port, "levain_ws_send_queue_bytes"), 0);
  EXPECT_TRUE(wait_until([&] { return open_fds(pid) <= baseline; }))
      << "descriptors: " << open_fds(pid) << " now, " << baseline << " before";
  RecordProperty("joined_mid_job", std::to_string(joined_mid_job));
}

}  // namespace
}  // namespace levain::integration
