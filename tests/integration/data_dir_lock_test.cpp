// One process per --data-dir (issue 13, item 14): a second `levain training` on the same
// directory and port must refuse before it touches the store, naming the first one's PID, and the
// first one's running job must end as it would have (completed, in the store too).
#include <gtest/gtest.h>

#include "harness/fixture.hpp"
#include "harness/json_access.hpp"
#include "harness/wait.hpp"

namespace levain::integration {
namespace {

TEST_F(LevainTest, ASecondInstanceOnTheSameDataDirIsRefusedAndTouchesNothing) {
  auto& first = start_server({"--train-threads", "1"});
  const auto tok = token({"bakery"});
  upload("bakery", tok, demo_csv(120, 120));
  const auto job = start_job("bakery", tok);
  boost::json::value view;
  ASSERT_TRUE(wait_until(
      [&] {
        view = get_job("bakery", tok, job);
        return str_at(view, "status") != "pending";
      },
      std::chrono::seconds(60), std::chrono::milliseconds(20)))
      << dump(view);
  ASSERT_EQ(str_at(view, "status"), "running") << "the job must still run: " << dump(view);

  // As systemd and a shell would: the same directory, the same port.
  const auto second =
      run_levain({"training", "--listen", "127.0.0.1:" + std::to_string(first.port()), "--data-dir",
                  (dir_ / "data").string(), "--jwt-secret", secret_});
  EXPECT_TRUE(second.status.exited && second.status.code != 0) << second.status.describe();
  EXPECT_NE(
      second.err.find("is in use by another process (PID " + std::to_string(first.pid()) + ")"),
      std::string::npos)
      << second.err;
  EXPECT_EQ(second.err.find("recover"), std::string::npos) << second.err;

  view = get_job("bakery", tok, job);
  EXPECT_NE(str_at(view, "status"), "failed") << "the second instance touched it: " << dump(view);
  view = wait_terminal("bakery", tok, job);
  EXPECT_EQ(str_at(view, "status"), "completed") << dump(view);

  // The store says so after a restart too (the first instance let go of the directory).
  EXPECT_TRUE(first.terminate().exited);
  start_server();
  EXPECT_EQ(str_at(get_job("bakery", tok, job), "status"), "completed");
}

}  // namespace
}  // namespace levain::integration
