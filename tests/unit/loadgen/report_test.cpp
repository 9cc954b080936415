#include "loadgen/report.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace levain::loadgen {
namespace {

ClientResult joined_client(std::uint64_t snapshot, std::uint64_t first, std::uint64_t last,
                           std::uint64_t skip = 0, std::int32_t latency_us = 1000) {
  ClientResult c;
  c.tcp_connected = true;
  c.ledger.on_snapshot(snapshot);
  c.messages.push_back(
      {static_cast<std::uint32_t>(snapshot), kNoLatency, 10, 300, MessageKind::connected});
  for (std::uint64_t s = first; s <= last; ++s) {
    if (s == skip) continue;
    c.ledger.on_event(s, false);
    c.messages.push_back({static_cast<std::uint32_t>(s), latency_us,
                          static_cast<std::uint32_t>(100000 + s * 1000), 100, MessageKind::event});
  }
  c.close_code = 1000;
  return c;
}

ClientResult failed_client(const std::string& why) {
  ClientResult c;
  c.failure = why;
  return c;
}

WatchersResult run_of(std::vector<ClientResult> clients) {
  WatchersResult run;
  run.clients = std::move(clients);
  run.connect_s = 0.5;
  run.join_s = 1.0;
  run.total_s = 3.0;
  return run;
}

TEST(Report, SumsPerClientAccounts) {
  auto run = run_of({joined_client(0, 1, 10), joined_client(4, 5, 10),
                     joined_client(0, 1, 10, /*skip=*/7), joined_client(0, 1, 6)});
  run.clients[3].close_code = 1008;
  RunFacts facts;
  facts.final_seq = 10;
  const Report r = build_report(run, facts);
  EXPECT_EQ(r.clients, 4u);
  EXPECT_EQ(r.joined, 4u);
  EXPECT_EQ(r.connect_failed, 0u);
  EXPECT_EQ(r.expected, 10u + 6u + 10u + 10u);
  EXPECT_EQ(r.received, 10u + 6u + 9u + 6u);
  EXPECT_EQ(r.lost, 0u + 0u + 1u + 4u);
  EXPECT_EQ(r.clients_with_loss, 2u);
  EXPECT_EQ(r.joined_before_first_event, 3u);
  EXPECT_EQ(r.largest_message, 300u);
  EXPECT_EQ(r.bytes_received, 4u * 300u + 31u * 100u);
  EXPECT_EQ(r.close_codes.at(1000), 3u);
  EXPECT_EQ(r.close_codes.at(1008), 1u);
  EXPECT_FALSE(r.ok());
}

TEST(Report, LatencyRateAndConnectRate) {
  const auto run = run_of({joined_client(0, 1, 10, 0, 2000), joined_client(0, 1, 10, 0, 4000)});
  RunFacts facts;
  facts.final_seq = 10;
  const Report r = build_report(run, facts);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.latency.samples, 20u);
  EXPECT_DOUBLE_EQ(r.latency.p50_ms, 2.0);
  EXPECT_DOUBLE_EQ(r.latency.max_ms, 4.0);
  // 20 events from the first publish (101 ms − 4 ms) to the last receive (110 ms): 13 ms.
  EXPECT_NEAR(r.msgs_per_s, 20 / 0.013, 1e-6);
  EXPECT_DOUBLE_EQ(r.connect_rate_per_s, 4.0);  // 2 TCP connects in 0.5 s
  EXPECT_DOUBLE_EQ(r.join_rate_per_s, 2.0);
}

TEST(Report, FailuresAreGroupedAndBounded) {
  std::vector<ClientResult> clients;
  for (int i = 0; i < 3; ++i) clients.push_back(failed_client("TCP connect: Connection refused"));
  for (int i = 0; i < 12; ++i) clients.push_back(failed_client("reason " + std::to_string(i)));
  clients.push_back(joined_client(0, 1, 3));
  RunFacts facts;
  facts.final_seq = 3;
  const Report r = build_report(run_of(std::move(clients)), facts);
  EXPECT_EQ(r.connect_failed, 15u);
  EXPECT_EQ(r.failures.at("TCP connect: Connection refused"), 3u);
  EXPECT_LE(r.failures.size(), kMaxFailureReasons + 1);
  std::size_t total = 0;
  for (const auto& [why, n] : r.failures) total += n;
  EXPECT_EQ(total, 15u);
  EXPECT_FALSE(r.ok());
}

TEST(Report, JsonHasTheIssuesKeys) {
  auto run = run_of({joined_client(0, 1, 5)});
  RunFacts facts;
  facts.final_seq = 5;
  facts.job_id = "job-1";
  facts.job_status = "completed";
  facts.processes.push_back(
      {4242, ProcMemory{1000, 1200}, ProcMemory{1100, 1300}, ProcMemory{1050, 1400}});
  facts.processes.push_back({4343, std::nullopt, std::nullopt, std::nullopt});
  const auto o = to_json(build_report(run, facts));
  for (const char* key :
       {"clients", "connect_failed", "expected", "received", "lost", "latency_ms", "msgs_per_s",
        "rss_kib", "connect_rate_per_s", "per_connection_kib", "duration_s"}) {
    EXPECT_TRUE(o.contains(key)) << key;
  }
  for (const char* key : {"p50", "p90", "p99", "p999", "max"}) {
    EXPECT_TRUE(o.at("latency_ms").as_object().contains(key)) << key;
  }
  EXPECT_EQ(o.at("lost").to_number<int>(), 0);
  EXPECT_EQ(o.at("rss_kib").at("4242").to_number<int>(), 1400);  // the peak, VmHWM
  EXPECT_TRUE(o.at("rss_kib").at("4343").is_null());
  EXPECT_DOUBLE_EQ(o.at("per_connection_kib").at("4242").to_number<double>(), 100.0);
  EXPECT_EQ(o.at("job").at("status").as_string(), "completed");
}

TEST(Report, SummarySaysWhetherAnythingWasLost) {
  RunFacts facts;
  facts.final_seq = 5;
  std::ostringstream good, bad;
  print_summary(build_report(run_of({joined_client(0, 1, 5)}), facts), good);
  EXPECT_NE(good.str().find("OK: no message lost"), std::string::npos) << good.str();
  print_summary(build_report(run_of({joined_client(0, 1, 3)}), facts), bad);
  EXPECT_NE(bad.str().find("2 lost"), std::string::npos) << bad.str();
  EXPECT_NE(bad.str().find("FAILED"), std::string::npos) << bad.str();
}

TEST(Report, NoEventsMeansNoLatencyRatherThanZero) {
  RunFacts facts;
  facts.final_seq = 0;
  const auto o = to_json(build_report(run_of({joined_client(0, 1, 0)}), facts));
  EXPECT_TRUE(o.at("latency_ms").at("p99").is_null());
  EXPECT_EQ(o.at("latency_ms").at("samples").to_number<int>(), 0);
}

TEST(Report, ATimeoutIsAFailureEvenWithoutLoss) {
  auto run = run_of({joined_client(0, 1, 5)});
  run.timed_out = true;
  RunFacts facts;
  facts.final_seq = 5;
  EXPECT_FALSE(build_report(run, facts).ok());
}

}  // namespace
}  // namespace levain::loadgen
