// How `levain` behaves when a person gets something wrong (issue 13, item 7), run as the binary:
// usage errors exit 2, an unknown subcommand is named, a taken port names the address and the
// flag, watch gives up by itself, train --strict refuses rejected rows, and `levain demo`
// prints lines that run as printed.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "harness/fixture.hpp"
#include "harness/json_access.hpp"
#include "harness/wait.hpp"

namespace levain::integration {
namespace {

using Clock = std::chrono::steady_clock;

std::string quoted(const std::string& text) {
  std::string q = "'";
  for (const char c : text) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

TEST_F(LevainTest, UsageErrorsExitTwo) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{},
        {"train"},
        {"train", "--bogus"},
        {"watch", "--max-attempts"},
        {"watch", "--url", "http://127.0.0.1:1", "--tenant", "t", "--job", "j", "--token", "x",
         "--max-attempts", "-1"},
        {"token", "--tenant", "t"},
        {"demo-data", "--products", "0"}}) {
    const auto r = run_levain(args);
    std::string line;
    for (const auto& a : args) line += " " + a;
    EXPECT_TRUE(r.status.exited && r.status.code == 2)
        << "levain" << line << ": " << r.status.describe() << " " << r.err;
    EXPECT_FALSE(r.err.empty()) << "levain" << line;
  }
  EXPECT_EQ(run_levain({"--help"}).status.code, 0);
  EXPECT_EQ(run_levain({"train", "--help"}).status.code, 0);
  EXPECT_EQ(run_levain({"--version"}).status.code, 0);
}

TEST_F(LevainTest, AnUnknownSubcommandIsNamedAndTheOthersListed) {
  const auto r = run_levain({"nosuch", "--url", "x"});
  EXPECT_EQ(r.status.code, 2) << r.status.describe();
  EXPECT_NE(r.err.find("unknown subcommand 'nosuch'"), std::string::npos) << r.err;
  for (const char* name : {"training", "gateway", "demo", "train", "watch", "bench"}) {
    EXPECT_NE(r.err.find(name), std::string::npos) << name << " missing from: " << r.err;
  }
}

TEST_F(LevainTest, ATakenPortNamesTheAddressAndTheFlag) {
  auto& first = start_server();
  const std::string taken = "127.0.0.1:" + std::to_string(first.port());
  const auto service = run_levain({"training", "--listen", taken, "--data-dir",
                                   (dir_ / "other").string(), "--jwt-secret", secret_});
  const auto gateway = run_levain(
      {"gateway", "--listen", taken, "--upstream", "127.0.0.1:1", "--jwt-secret", secret_});
  for (const auto* r : {&service, &gateway}) {
    EXPECT_TRUE(r->status.exited && r->status.code == 1) << r->status.describe();
    EXPECT_NE(r->err.find(taken + " is already in use (another process?): choose another with "
                                  "--listen"),
              std::string::npos)
        << r->err;
    EXPECT_EQ(r->err.find("system:"), std::string::npos) << "Boost internals: " << r->err;
    EXPECT_EQ(r->err.find("bind:"), std::string::npos) << "Boost internals: " << r->err;
  }
}

TEST_F(LevainTest, WatchGivesUpAfterABoundedNumberOfAttemptsByDefault) {
  // Bound, never listening: every connection attempt is refused.
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor unused(ioc);
  unused.open(boost::asio::ip::tcp::v4());
  unused.bind({boost::asio::ip::make_address("127.0.0.1"), 0});
  const std::string url = "http://127.0.0.1:" + std::to_string(unused.local_endpoint().port());
  const auto r =
      run_levain({"watch", "--url", url, "--tenant", "bakery", "--job", "j1", "--token", "t"},
                 std::chrono::seconds(90));
  EXPECT_EQ(r.status.code, 2) << r.status.describe();
  EXPECT_NE(r.err.find("giving up after 8 attempt(s)"), std::string::npos) << r.err;
}

TEST_F(LevainTest, TrainStrictFailsWhenRowsWereRejected) {
  auto& server = start_server();
  const auto tok = token({"bakery"});
  const auto csv = (dir_ / "sales.csv").string();
  std::ofstream(csv) << demo_csv(1, 40) << "2026-13-45,Baguette,3\n";
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port());
  const auto r =
      run_levain({"train", "--url", url, "--tenant", "bakery", "--token", tok, "--strict", csv});
  EXPECT_EQ(r.status.code, 1) << r.status.describe() << r.err;
  EXPECT_NE(r.out.find("1 rejected"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("--strict: the server rejected 1 row(s)"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("job: "), std::string::npos) << "no job may start: " << r.out;
  const auto jobs = http().get(jobs_path("bakery"), tok);
  ASSERT_EQ(jobs.status, 200) << jobs.summary();
  EXPECT_EQ(jobs.body.find("job_id"), std::string::npos) << jobs.body;
}

// `levain demo` in the background, its stdout on a pipe; stopped by its PID.
class Demo {
 public:
  explicit Demo(const std::string& command) {
    // The shell prints its PID, then becomes levain with exec: that PID is the demo's.
    pipe_ = ::popen(("echo $$; exec " + command).c_str(), "r");
    if (pipe_ == nullptr) throw std::runtime_error("popen failed");
    pid_ = std::atoi(read_until("\n").c_str());
  }
  ~Demo() {
    if (pid_ > 0) ::kill(pid_, SIGTERM);
    ::pclose(pipe_);
  }
  // Reads stdout until `marker` appeared (or the deadline passed, or the pipe closed).
  std::string read_until(const std::string& marker,
                         std::chrono::seconds deadline = std::chrono::seconds(60)) {
    const auto end = Clock::now() + deadline;
    while (text_.find(marker) == std::string::npos && Clock::now() < end) {
      pollfd p{::fileno(pipe_), POLLIN, 0};
      if (::poll(&p, 1, 200) <= 0) continue;
      char buffer[4096];
      const ssize_t n = ::read(::fileno(pipe_), buffer, sizeof buffer);
      if (n <= 0) break;
      text_.append(buffer, static_cast<std::size_t>(n));
    }
    const auto at = text_.find(marker);
    if (at == std::string::npos) return text_;
    std::string head = text_.substr(0, at + marker.size());
    text_.erase(0, at + marker.size());
    return head;
  }

 private:
  FILE* pipe_ = nullptr;
  pid_t pid_ = -1;
  std::string text_;
};

TEST_F(LevainTest, DemoPrintsTheGatewayUrlFirstAndLinesThatRunAsPrinted) {
  std::filesystem::create_directories(dir_ / "web");
  std::ofstream(dir_ / "web" / "index.html") << "<!doctype html>";
  Demo demo(quoted(levain_binary()) + " demo --listen 127.0.0.1:0 --gateway-listen 127.0.0.1:0 " +
            "--data-dir " + quoted((dir_ / "demo-data").string()) + " --web-root " +
            quoted((dir_ / "web").string()) + " --products 2 --days 60 --train-threads 1 2>" +
            quoted((dir_ / "demo.log").string()));
  const std::string banner = demo.read_until("Stop with Ctrl-C.\n");
  ASSERT_NE(banner.find("Stop with Ctrl-C."), std::string::npos) << banner;
  EXPECT_EQ(banner.rfind("Gateway URL: http://127.0.0.1:", 0), 0u) << banner;

  // The indented lines under "Train and watch": run them as a user would paste them.
  const auto from = banner.find("Train and watch");
  ASSERT_NE(from, std::string::npos) << banner;
  std::istringstream lines(banner.substr(banner.find('\n', from) + 1));
  std::string script = "set -e\ncd " + quoted(dir_.path().string()) + "\n";
  std::string line;
  int commands = 0;
  while (std::getline(lines, line) && line.rfind("  ", 0) == 0) {
    script += line.substr(2) + "\n";
    ++commands;
  }
  ASSERT_EQ(commands, 3) << banner;
  EXPECT_NE(script.find("export TOKEN="), std::string::npos) << script;
  EXPECT_NE(script.find("\n" + levain_binary() + " train --url http://127.0.0.1:"),
            std::string::npos)
      << "the full binary path: " << script;
  std::ofstream(dir_ / "pasted.sh") << script;
  const std::string run = "bash " + quoted((dir_ / "pasted.sh").string()) + " >" +
                          quoted((dir_ / "pasted.out").string()) + " 2>&1";
  const int status = std::system(run.c_str());
  std::ifstream out_file(dir_ / "pasted.out");
  const std::string out((std::istreambuf_iterator<char>(out_file)), {});
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << script << "\n" << out;
  EXPECT_NE(out.find("completed"), std::string::npos) << out;
}

}  // namespace
}  // namespace levain::integration
