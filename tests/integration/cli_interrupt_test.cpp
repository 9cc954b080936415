// Ctrl-C in `levain train` at a terminal (a real pseudo-terminal from forkpty): it asks whether to
// cancel the job or only stop watching. "y" cancels it on the server and the watch ends with the
// job cancelled (exit 1); "n" stops watching at once (exit 130) and the job goes on.
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>

#include "harness/fixture.hpp"
#include "harness/json_access.hpp"
#include "harness/process.hpp"

namespace levain::integration {
namespace {

class Terminal {
 public:
  explicit Terminal(const std::vector<std::string>& args) {
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_ = forkpty(&master_, nullptr, nullptr, nullptr);
    if (pid_ == 0) {
      execv(argv[0], argv.data());
      _exit(127);
    }
  }
  ~Terminal() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (master_ >= 0) close(master_);
  }
  /// Reads until `text` has appeared (true) or the program ended or 120 s passed (false).
  bool read_until(const std::string& text) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (output_.find(text) == std::string::npos) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      pollfd p{master_, POLLIN, 0};
      if (poll(&p, 1, 1000) <= 0) continue;
      char buf[4096];
      const auto n = read(master_, buf, sizeof buf);
      if (n <= 0) return false;  // the program ended (EIO on Linux)
      output_.append(buf, static_cast<std::size_t>(n));
    }
    return true;
  }
  void type(const std::string& keys) {
    ASSERT_EQ(write(master_, keys.data(), keys.size()), static_cast<ssize_t>(keys.size()));
  }
  int wait_exit() {
    read_until("\x01never\x01");  // drain what is left until the program ends
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  const std::string& output() const { return output_; }

 private:
  pid_t pid_ = -1;
  int master_ = -1;
  std::string output_;
};

class CliInterruptTest : public LevainTest {
 protected:
  std::unique_ptr<Terminal> train(const std::string& tok) {
    const auto csv = dir_ / "sales.csv";
    std::ofstream(csv) << demo_csv(300, 365);
    const auto url = "http://127.0.0.1:" + std::to_string(server().port());
    return std::make_unique<Terminal>(std::vector<std::string>{levain_binary(), "train", "--url",
                                                               url, "--tenant", "bakery", "--token",
                                                               tok, csv.string()});
  }
  std::string job_of(const Terminal& t) {
    const auto& out = t.output();
    const auto at = out.find("job: ");
    return out.substr(at + 5, out.find_first_of("\r\n", at) - at - 5);
  }
};

TEST_F(CliInterruptTest, YesCancelsTheJobAndTheWatchSeesItEnd) {
  start_server({"--train-threads", "1"});
  const auto tok = token({"bakery"});
  auto t = train(tok);
  ASSERT_TRUE(t->read_until("Model Training")) << t->output();
  const auto job = job_of(*t);
  t->type("\x03");  // Ctrl-C: the terminal sends SIGINT to the program
  ASSERT_TRUE(t->read_until("[y/N]")) << t->output();
  t->type("y\n");
  EXPECT_EQ(t->wait_exit(), 1) << t->output();
  EXPECT_NE(t->output().find("cancel accepted"), std::string::npos) << t->output();
  EXPECT_NE(t->output().find("cancelled"), std::string::npos) << t->output();
  EXPECT_EQ(str_at(wait_terminal("bakery", tok, job), "status"), "cancelled");
}

TEST_F(CliInterruptTest, NoStopsWatchingAndTheJobGoesOn) {
  start_server({"--train-threads", "1"});
  const auto tok = token({"bakery"});
  auto t = train(tok);
  ASSERT_TRUE(t->read_until("Model Training")) << t->output();
  const auto job = job_of(*t);
  t->type("\x03");
  ASSERT_TRUE(t->read_until("[y/N]")) << t->output();
  t->type("\n");
  EXPECT_EQ(t->wait_exit(), 130) << t->output();
  EXPECT_NE(t->output().find("the job goes on"), std::string::npos) << t->output();
  EXPECT_EQ(str_at(wait_terminal("bakery", tok, job), "status"), "completed");
}

}  // namespace
}  // namespace levain::integration
