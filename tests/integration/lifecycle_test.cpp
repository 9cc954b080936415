// A job's life when something happens to it mid-way: cancel, kill -9 and restart, SIGTERM.

#include <csignal>

#include "harness/fixture.hpp"
#include "harness/json_access.hpp"
#include "harness/stream_checks.hpp"

namespace levain::integration {
namespace {

class LifecycleTest : public LevainTest {
 protected:
  /// A server with one training thread and a job big enough to be caught mid-way; returns the
  /// job id once `watcher_` has seen its first product_completed.
  std::string start_big_job_and_watch() {
    start_server({"--train-threads", "1"});
    tok_ = token({"bakery"});
    upload("bakery", tok_, demo_csv(300, 90, 21));
    const std::string job = start_job("bakery", tok_);
    watcher_ = watch("bakery", job, tok_);
    EXPECT_TRUE(watcher_->read_until_type("product_completed")) << watcher_->end().describe();
    return job;
  }

  std::string tok_;
  std::unique_ptr<WsClient> watcher_;
};

TEST_F(LifecycleTest, CancelEndsWithFailedCancelledAndClose1000) {
  const std::string job = start_big_job_and_watch();
  const auto r = http().post(jobs_path("bakery") + "/" + job + "/cancel", tok_, "");
  ASSERT_EQ(r.status, 202) << r.summary();
  EXPECT_EQ(str_at(r.json, "job_id"), job);

  watcher_->read_until_close();
  EXPECT_TRUE(starts_with_connected(watcher_->messages(), job));
  EXPECT_TRUE(events_follow_snapshot(watcher_->messages()));
  ASSERT_TRUE(ends_with(*watcher_, "failed", 1000));
  EXPECT_EQ(str_at(watcher_->messages().back(), "data/reason"), "cancelled");

  const auto view = wait_terminal("bakery", tok_, job);
  EXPECT_EQ(str_at(view, "status"), "cancelled") << dump(view);
  EXPECT_LT(int_at(view, "products_completed"), int_at(view, "total_products"));
  EXPECT_TRUE(snapshot_consistent(view));

  const auto again = http().post(jobs_path("bakery") + "/" + job + "/cancel", tok_, "");
  EXPECT_EQ(again.status, 409) << again.summary();
  if (again.json_ok) {
    EXPECT_EQ(str_at(again.json, "error/code"), "job_finished");
  }

  // A new watcher of the cancelled job: snapshot "cancelled", then 1000.
  auto late = watch("bakery", job, tok_);
  late->read_until_close();
  ASSERT_TRUE(starts_with_connected(late->messages(), job));
  EXPECT_EQ(str_at(late->messages()[0], "data/snapshot/status"), "cancelled");
  EXPECT_EQ(late->end().code, 1000) << late->end().describe();
}

TEST_F(LifecycleTest, KillDuringAJobLeavesItFailedInterruptedAfterRestart) {
  const std::string job = start_big_job_and_watch();
  const auto status = server().kill9();
  EXPECT_EQ(status.signal, SIGKILL) << status.describe();
  watcher_->read_until_close();  // ends without a close frame; it must not hang
  EXPECT_TRUE(events_follow_snapshot(watcher_->messages()));

  start_server({"--train-threads", "1"});
  const auto view = get_job("bakery", tok_, job);
  EXPECT_EQ(str_at(view, "status"), "failed") << dump(view);
  EXPECT_NE(str_at(view, "error").find("interrupted"), std::string::npos) << dump(view);
  EXPECT_TRUE(snapshot_consistent(view));

  auto again = watch("bakery", job, tok_);
  again->read_until_close();
  ASSERT_TRUE(starts_with_connected(again->messages(), job));
  EXPECT_EQ(str_at(again->messages()[0], "data/snapshot/status"), "failed");
  EXPECT_EQ(again->end().code, 1000) << again->end().describe();

  // The restarted server still trains.
  const std::string next = start_job(
      "bakery", tok_, R"({"products":[)" + [&] {
        return std::string("\"") + str_at(view, "products/0/product_name") + "\"]}";
      }());
  EXPECT_EQ(str_at(wait_terminal("bakery", tok_, next), "status"), "completed");
}

TEST_F(LifecycleTest, SigtermClosesWatchersWith1001AndExitsZero) {
  const std::string job = start_big_job_and_watch();
  server().send_signal(SIGTERM);
  watcher_->read_until_close();
  EXPECT_EQ(watcher_->end().code, 1001) << watcher_->end().describe();
  EXPECT_TRUE(events_follow_snapshot(watcher_->messages()));
  const auto status = server().wait_exit();
  EXPECT_TRUE(status.exited && status.code == 0) << status.describe();

  start_server({"--train-threads", "1"});
  const auto view = get_job("bakery", tok_, job);
  EXPECT_EQ(str_at(view, "status"), "failed") << dump(view);
  EXPECT_NE(str_at(view, "error").find("interrupted"), std::string::npos) << dump(view);
}

}  // namespace
}  // namespace levain::integration
