// Every close-code path of the live endpoint (DESIGN.md §2 "Close codes") and ping/pong.

#include <chrono>

#include "harness/fixture.hpp"
#include "harness/json_access.hpp"
#include "harness/stream_checks.hpp"

#ifdef LEVAIN_HAVE_AUTH
#include "auth/token.hpp"
#endif

namespace levain::integration {
namespace {

class CloseCodesTest : public LevainTest {
 protected:
  /// A refused watcher: closed with `code` and never sent a snapshot.
  static ::testing::AssertionResult refused_with(WsClient& c, int code) {
    c.read_until_close();
    for (const auto& m : c.messages()) {
      if (type_of(m) == "connected") {
        return ::testing::AssertionFailure() << "a refused watcher got a snapshot: " << dump(m);
      }
    }
    if (c.end().code != code) {
      return ::testing::AssertionFailure()
             << "expected close " << code << ", got " << c.end().describe();
    }
    if (c.end().reason.empty()) {
      return ::testing::AssertionFailure() << "close " << code << " without a reason";
    }
    return ::testing::AssertionSuccess();
  }
};

TEST_F(CloseCodesTest, AuthFailuresUnknownJobsAndFinishedJobs) {
  start_server();
  const std::string tok = token({"bakery", "other"});
  upload("bakery", tok, demo_csv(3, 200, 5));
  upload("other", tok, demo_csv(2, 200, 6));
  const std::string job = start_job("bakery", tok);
  const std::string other_job = start_job("other", tok);
  wait_terminal("bakery", tok, job);
  const auto port = server().port();
  const std::string path = jobs_path("bakery") + "/" + job + "/live";

  {
    SCOPED_TRACE("no token");
    WsClient c(port, path);
    EXPECT_TRUE(refused_with(c, 4001));
  }
  {
    SCOPED_TRACE("garbage token");
    WsClient c(port, path + "?token=not.a.jwt");
    EXPECT_TRUE(refused_with(c, 4001));
  }
  {
    SCOPED_TRACE("token signed with another secret");
    secret_ += "-other";
    const std::string forged = token({"bakery"});
    secret_.resize(secret_.size() - 6);
    WsClient c(port, path + "?token=" + url_encode(forged));
    EXPECT_TRUE(refused_with(c, 4001));
  }
#ifdef LEVAIN_HAVE_AUTH
  {
    SCOPED_TRACE("expired token");
    auth::MintRequest req;
    req.tenants = {"bakery"};
    req.ttl = std::chrono::hours(1);
    req.now = std::chrono::system_clock::now() - std::chrono::hours(2);
    WsClient c(port, path + "?token=" + url_encode(auth::mint_hs256(req, secret_)));
    EXPECT_TRUE(refused_with(c, 4001));
  }
#else
  ADD_FAILURE() << "expired-token case not built: the levain_auth target was missing";
#endif
  {
    SCOPED_TRACE("tenant not granted");
    WsClient c(port, path + "?token=" + url_encode(token({"someone-else"})));
    EXPECT_TRUE(refused_with(c, 4003));
  }
  {
    SCOPED_TRACE("unknown job");
    WsClient c(port, live_target("bakery", "00000000-0000-0000-0000-000000000000", tok));
    EXPECT_TRUE(refused_with(c, 4004));
  }
  {
    SCOPED_TRACE("a job of another tenant, asked for under this tenant");
    WsClient c(port, live_target("bakery", other_job, tok));
    EXPECT_TRUE(refused_with(c, 4004));
  }
  {
    SCOPED_TRACE("finished job");
    auto c = watch("bakery", job, tok);
    c->read_until_close();
    ASSERT_TRUE(starts_with_connected(c->messages(), job));
    EXPECT_EQ(str_at(c->messages()[0], "data/snapshot/status"), "completed");
    EXPECT_EQ(c->messages().size(), 1u);
    EXPECT_EQ(c->end().code, 1000) << c->end().describe();
  }
  {
    SCOPED_TRACE("a watcher-only token (no trainer role) may watch");
    auto c = watch("bakery", job, token({"bakery"}, /*trainer=*/false));
    c->read_until_close();
    EXPECT_TRUE(starts_with_connected(c->messages(), job));
    EXPECT_EQ(c->end().code, 1000) << c->end().describe();
  }
}

TEST_F(CloseCodesTest, PingIsAnsweredWithPong) {
  start_server({"--max-concurrent-jobs", "1"});
  const std::string tok = token({"bakery"});
  upload("bakery", tok, demo_csv(60, 150, 9));
  const std::string blocker = start_job("bakery", tok);
  const std::string job = start_job("bakery", tok);  // pending: the connection stays open
  auto c = watch("bakery", job, tok);
  ASSERT_TRUE(c->next().has_value()) << c->end().describe();
  ASSERT_TRUE(c->send_text("ping"));
  ASSERT_TRUE(c->read_until_type("pong", 1)) << c->end().describe();
  ASSERT_TRUE(c->send_text(R"({"type":"ping"})"));
  ASSERT_TRUE(c->read_until_type("pong", 2)) << c->end().describe();
  for (const auto& m : c->messages()) {
    if (type_of(m) == "pong") {
      EXPECT_EQ(dump(m), R"({"type":"pong"})");
    }
  }
  for (const auto& id : {blocker, job}) {
    http().post(jobs_path("bakery") + "/" + id + "/cancel", tok, "");
  }
  c->read_until_close();
  EXPECT_TRUE(events_follow_snapshot(c->messages()));
  EXPECT_EQ(c->end().code, 1000) << c->end().describe();
}

TEST_F(CloseCodesTest, SlowConsumerIsClosedWith1008) {
  start_server(
      {"--ws-send-queue-bytes", "4096", "--ws-idle-timeout", "600", "--max-concurrent-jobs", "1"});
  const std::string tok = token({"bakery"});
  upload("bakery", tok, demo_csv(400, 60, 13));
  // The watched job waits behind a blocker, so the slow client is there for every one of its
  // ~400 events whatever the timing.
  const std::string blocker = start_job("bakery", tok);
  const std::string job = start_job("bakery", tok);
  WsOptions opts;
  opts.receive_buffer_bytes = 1024;
  opts.max_segment_bytes = 536;
  WsClient slow(server().port(), live_target("bakery", job, tok), opts);
  ASSERT_FALSE(slow.ended()) << slow.end().describe();
  http().post(jobs_path("bakery") + "/" + blocker + "/cancel", tok, "");
  // It does not read while the whole job runs: the server's queue overflows.
  const auto done = wait_terminal("bakery", tok, job);
  EXPECT_EQ(str_at(done, "status"), "completed") << dump(done);
  slow.read_until_close();
  std::size_t bytes = 0;
  for (const auto& m : slow.messages()) bytes += dump(m, 1u << 30).size();
  EXPECT_EQ(slow.end().code, 1008) << slow.end().describe() << " after " << slow.messages().size()
                                   << " messages, " << bytes << " bytes of JSON";
  if (!slow.messages().empty()) {
    EXPECT_TRUE(starts_with_connected(slow.messages(), job));
    EXPECT_TRUE(events_follow_snapshot(slow.messages()));
  }
}

}  // namespace
}  // namespace levain::integration
