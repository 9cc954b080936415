// Issue 7: `levain bench` run as a process against a real `levain training` on port 0: 100
// watchers of a 50-product job must report zero lost messages in its JSON.
#include <algorithm>
#include <boost/json/parse.hpp>
#include <fstream>

#include "harness/fixture.hpp"
#include "harness/json_access.hpp"

namespace levain::integration {
namespace {

class BenchCliTest : public LevainTest {};

TEST_F(BenchCliTest, HundredWatchersOfFiftyProductsLoseNothing) {
  // One job at a time: the bench's gate job holds its job until every watcher has joined.
  start_server({"--max-concurrent-jobs", "1"});
  const auto latencies = dir_.path() / "latencies.txt";
  const auto joined = dir_.path() / "joined";
  const auto r = run_levain({"bench",
                             "--url",
                             "http://127.0.0.1:" + std::to_string(server().port()),
                             "--tenant",
                             "bench-bakery",
                             "--secret",
                             secret_,
                             "--clients",
                             "100",
                             "--products",
                             "50",
                             "--gate",
                             "--json",
                             "--pid",
                             std::to_string(server().pid()),
                             "--timeout",
                             "300",
                             "--latency-out",
                             latencies.string(),
                             "--joined-file",
                             joined.string()},
                            std::chrono::seconds(400));
  ASSERT_TRUE(r.status.exited) << r.status.describe() << "\n" << r.err;
  boost::system::error_code ec;
  const auto result = boost::json::parse(r.out, ec);
  ASSERT_FALSE(ec) << "stdout is not one JSON object: " << r.out << "\nstderr: " << r.err;
  EXPECT_EQ(r.status.code, 0) << dump(result) << "\n" << r.err;

  EXPECT_EQ(int_at(result, "clients"), 100);
  EXPECT_EQ(int_at(result, "connect_failed"), 0) << dump(result);
  EXPECT_EQ(int_at(result, "lost"), 0) << dump(result);
  EXPECT_EQ(int_at(result, "received"), int_at(result, "expected"));
  EXPECT_GT(int_at(result, "expected"), 0) << dump(result);
  EXPECT_EQ(str_at(result, "job/status"), "completed");
  EXPECT_EQ(int_at(result, "job/final_seq"), 53);  // started, progress, 50 products, completed
  for (const char* p : {"p50", "p90", "p99", "p999", "max"}) {
    EXPECT_GE(num_at(result, std::string("latency_ms/") + p), 0.0) << p;
  }
  EXPECT_GT(num_at(result, "msgs_per_s"), 0.0);
  EXPECT_GT(int_at(result, "rss_kib/" + std::to_string(server().pid())), 0);

  // What several bench processes need to make one run: every sample, sorted, and the window.
  std::ifstream samples(latencies);
  std::vector<std::int64_t> us;
  for (std::int64_t v = 0; samples >> v;) us.push_back(v);
  EXPECT_EQ(static_cast<std::int64_t>(us.size()), int_at(result, "latency_ms/samples"));
  EXPECT_TRUE(std::is_sorted(us.begin(), us.end()));
  EXPECT_LE(int_at(result, "window_unix_us/first_publish"),
            int_at(result, "window_unix_us/last_receive"));
  EXPECT_TRUE(std::filesystem::exists(joined));
}

TEST_F(BenchCliTest, OverServerSentEventsThroughTheGatewayNothingIsLostEither) {
  auto& replica = start_server({"--max-concurrent-jobs", "1"});
  auto& gw = start_gateway({replica.port()});
  const auto r =
      run_levain({"bench", "--url", "http://127.0.0.1:" + std::to_string(gw.port()), "--tenant",
                  "bench-bakery", "--secret", secret_, "--clients", "40", "--products", "10",
                  "--gate", "--json", "--transport", "sse", "--timeout", "300"},
                 std::chrono::seconds(400));
  ASSERT_TRUE(r.status.exited) << r.status.describe() << "\n" << r.err;
  boost::system::error_code ec;
  const auto result = boost::json::parse(r.out, ec);
  ASSERT_FALSE(ec) << "stdout is not one JSON object: " << r.out << "\nstderr: " << r.err;
  EXPECT_EQ(r.status.code, 0) << dump(result) << "\n" << r.err;
  EXPECT_EQ(int_at(result, "connect_failed"), 0) << dump(result);
  EXPECT_EQ(int_at(result, "lost"), 0) << dump(result);
  EXPECT_EQ(int_at(result, "received"), int_at(result, "expected"));
  EXPECT_EQ(int_at(result, "job/final_seq"), 13);  // started, progress, 10 products, completed
}

TEST_F(BenchCliTest, BadFlagsAreRefusedWithAReason) {
  const auto both = run_levain({"bench", "--url", "http://127.0.0.1:9", "--tenant", "t", "--secret",
                                "s", "--token", "x", "--job", "j"});
  EXPECT_EQ(both.status.code, 2);
  EXPECT_NE(both.err.find("exactly one of --token and --secret"), std::string::npos) << both.err;
  const auto neither =
      run_levain({"bench", "--url", "http://127.0.0.1:9", "--tenant", "t", "--secret", "s"});
  EXPECT_EQ(neither.status.code, 2);
  EXPECT_NE(neither.err.find("--products P and --job J"), std::string::npos) << neither.err;
  const auto url =
      run_levain({"bench", "--url", "https://x", "--tenant", "t", "--secret", "s", "--job", "j"});
  EXPECT_EQ(url.status.code, 2);
  EXPECT_NE(url.err.find("TLS"), std::string::npos) << url.err;
  // Repeatable (several gate jobs), and only with --job.
  const auto gates =
      run_levain({"bench", "--url", "http://127.0.0.1:9", "--tenant", "t", "--secret", "s",
                  "--products", "5", "--release-job", "a", "--release-job", "b"});
  EXPECT_EQ(gates.status.code, 2);
  EXPECT_NE(gates.err.find("--release-job goes with --job"), std::string::npos) << gates.err;
  const auto transport =
      run_levain({"bench", "--url", "http://127.0.0.1:9", "--tenant", "t", "--secret", "s", "--job",
                  "j", "--transport", "carrier-pigeon"});
  EXPECT_NE(transport.status.code, 0);
  EXPECT_NE(transport.err.find("--transport"), std::string::npos) << transport.err;
}

}  // namespace
}  // namespace levain::integration
