// run_watchers against the scripted server of the CLI's tests (127.0.0.1:0, one connection per
// script, in order). max_in_flight = 1 makes client i meet script i; the protocol orders the rest.
#include "loadgen/watchers.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <mutex>

#include "scripted_server.hpp"

namespace levain::loadgen {
namespace {

using namespace levain::cli::test_server;

std::string now_iso() {
  const auto now = std::chrono::floor<std::chrono::microseconds>(std::chrono::system_clock::now());
  const auto day = std::chrono::floor<std::chrono::days>(now);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss<std::chrono::microseconds> t{now - day};
  char text[40];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02ld:%02ld:%02ld.%06ldZ",
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<long>(t.hours().count()),
                static_cast<long>(t.minutes().count()), static_cast<long>(t.seconds().count()),
                static_cast<long>(t.subseconds().count()));
  return text;
}

std::string msg(const std::string& type, int seq) {
  return R"({"type":")" + type + R"(","job_id":"j1","tenant_id":"t1","seq":)" +
         std::to_string(seq) + R"(,"timestamp":")" + now_iso() + R"(","data":{"progress":0}})";
}

// Sends `connected` at `snapshot`, then the given events (the last one terminal), then 1000.
ScriptedServer::Script stream(int snapshot, std::vector<int> seqs) {
  return [snapshot, seqs](tcp::socket& socket, const Request& request) {
    Ws ws(std::move(socket));
    ws.accept(request);
    send(ws, msg("connected", snapshot));
    for (std::size_t i = 0; i < seqs.size(); ++i) {
      send(ws, msg(i + 1 == seqs.size() ? "completed" : "product_completed", seqs[i]));
    }
    send(ws, R"({"type":"pong"})");
    close(ws, websocket::close_code::normal, "job completed");
  };
}

ScriptedServer::Script connected_then_wait() {
  return [](tcp::socket& socket, const Request& request) {
    Ws ws(std::move(socket));
    ws.accept(request);
    send(ws, msg("connected", 0));
    wait_for_client_to_leave(ws);
  };
}

WatchersConfig config_for(const ScriptedServer& server, int clients) {
  WatchersConfig c;
  c.host = "127.0.0.1";
  c.port = std::to_string(server.port());
  c.host_header = "127.0.0.1:" + c.port;
  c.target = "/live?token=t";
  c.clients = clients;
  c.max_in_flight = 1;
  c.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  return c;
}

TEST(Watchers, RecordsEveryMessageAndCountsLossPerClient) {
  ScriptedServer server(
      {stream(0, {1, 2, 3, 4}), stream(2, {3, 5}), [](tcp::socket& socket, const Request& request) {
         Ws ws(std::move(socket));
         ws.accept(request);
         close(ws, static_cast<websocket::close_code>(4004), "no such job");
       }});
  const auto r = run_watchers(config_for(server, 3));
  ASSERT_EQ(r.clients.size(), 3u);
  EXPECT_FALSE(r.timed_out);
  EXPECT_TRUE(r.setup_error.empty()) << r.setup_error;

  const auto& a = r.clients[0];
  EXPECT_TRUE(a.failure.empty()) << a.failure;
  EXPECT_EQ(a.close_code, 1000);
  ASSERT_EQ(a.messages.size(), 6u);  // connected, 4 events, pong
  EXPECT_EQ(a.messages[0].kind, MessageKind::connected);
  EXPECT_EQ(a.messages[4].kind, MessageKind::terminal);
  EXPECT_EQ(a.messages[5].kind, MessageKind::other);
  EXPECT_EQ(a.ledger.tally(4).lost, 0u);
  for (std::size_t i = 1; i < 5; ++i) {
    EXPECT_NE(a.messages[i].latency_us, kNoLatency);
    EXPECT_GE(a.messages[i].latency_us, 0);
    EXPECT_GE(a.messages[i].at_us, a.messages[i - 1].at_us);
  }

  const auto& b = r.clients[1];
  EXPECT_EQ(b.ledger.snapshot_seq(), 2u);
  EXPECT_EQ(b.ledger.tally(5).lost, 1u);  // seq 4 never came
  EXPECT_EQ(b.ledger.tally(5).gaps, 1u);

  const auto& c = r.clients[2];
  EXPECT_FALSE(c.ledger.joined());
  EXPECT_NE(c.failure.find("4004"), std::string::npos) << c.failure;
  EXPECT_EQ(c.close_code, 4004);
  EXPECT_EQ(server.targets(), std::vector<std::string>(3, "/live?token=t"));
}

TEST(Watchers, PrepareGivesTheTargetOnceEveryConnectionIsOpen) {
  ScriptedServer server({stream(5, {}), stream(5, {})});
  auto config = config_for(server, 2);
  config.target.clear();
  int prepared = 0, joined = 0;
  WatcherHooks hooks;
  hooks.prepare = [&] {
    ++prepared;
    return std::string("/prepared?token=x");
  };
  hooks.on_joined = [&] { ++joined; };
  const auto r = run_watchers(config, hooks);
  EXPECT_EQ(prepared, 1);
  EXPECT_EQ(joined, 1);
  EXPECT_EQ(server.targets(), std::vector<std::string>(2, "/prepared?token=x"));
  for (const auto& c : r.clients) {
    EXPECT_TRUE(c.tcp_connected);
    EXPECT_EQ(c.ledger.snapshot_seq(), 5u);
    EXPECT_EQ(c.close_code, 1000);
  }
}

TEST(Watchers, APrepareThatThrowsEndsTheRunWithItsMessage) {
  ScriptedServer server({connected_then_wait()});
  auto config = config_for(server, 1);
  config.target.clear();
  WatcherHooks hooks;
  hooks.prepare = []() -> std::string { throw std::runtime_error("starting a job failed"); };
  const auto r = run_watchers(config, hooks);
  EXPECT_EQ(r.setup_error, "starting a job failed");
  ASSERT_EQ(r.clients.size(), 1u);
  EXPECT_FALSE(r.clients[0].ledger.joined());
}

TEST(Watchers, TheDeadlineClosesWhatIsStillOpen) {
  ScriptedServer server({connected_then_wait()});
  auto config = config_for(server, 1);
  config.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
  const auto r = run_watchers(config);
  EXPECT_TRUE(r.timed_out);
  ASSERT_EQ(r.clients.size(), 1u);
  EXPECT_TRUE(r.clients[0].ledger.joined());
  EXPECT_TRUE(r.clients[0].stopped);
  EXPECT_EQ(r.clients[0].close_code, -1);
}

TEST(Watchers, HoldClosesIdleConnectionsWithoutATimeout) {
  ScriptedServer server({connected_then_wait()});
  auto config = config_for(server, 1);
  config.hold = std::chrono::milliseconds(50);
  const auto r = run_watchers(config);
  EXPECT_FALSE(r.timed_out);
  EXPECT_TRUE(r.clients[0].ledger.joined());
  EXPECT_TRUE(r.clients[0].stopped);
}

TEST(Watchers, ChurnClientsLeaveRightAfterTheSnapshot) {
  for (const auto after : {AfterJoin::close, AfterJoin::abort}) {
    ScriptedServer server({connected_then_wait(), connected_then_wait()});
    auto config = config_for(server, 2);
    config.after_join = after;
    const auto r = run_watchers(config);
    EXPECT_FALSE(r.timed_out);
    for (const auto& c : r.clients) {
      EXPECT_TRUE(c.ledger.joined());
      EXPECT_TRUE(c.stopped);
      EXPECT_EQ(c.messages.size(), 1u);
    }
  }
}

TEST(Watchers, ARefusedUpgradeKeepsItsHttpStatus) {
  ScriptedServer server({[](tcp::socket& socket, const Request&) {
    respond(socket, http::status::forbidden, R"({"error":{"code":"forbidden"}})");
  }});
  const auto r = run_watchers(config_for(server, 1));
  EXPECT_EQ(r.clients[0].http_status, 403);
  EXPECT_NE(r.clients[0].failure.find("HTTP 403"), std::string::npos) << r.clients[0].failure;
}

TEST(Watchers, SourceAddressesAreSpreadOverLoopback) {
  std::vector<std::string> peers;
  std::mutex mutex;
  const auto record_peer = [&](tcp::socket& socket, const Request& request) {
    {
      std::lock_guard lock(mutex);
      peers.push_back(socket.remote_endpoint().address().to_string());
    }
    stream(0, {1})(socket, request);
  };
  ScriptedServer server({record_peer, record_peer, record_peer});
  auto config = config_for(server, 3);
  config.source_ips = 2;
  const auto r = run_watchers(config);
  for (const auto& c : r.clients) EXPECT_TRUE(c.failure.empty()) << c.failure;
  EXPECT_EQ(peers, (std::vector<std::string>{"127.0.0.1", "127.0.0.2", "127.0.0.1"}));
}

TEST(Watchers, AnUnreachableServerFailsEveryClient) {
  net::io_context ioc;
  unsigned short port = 0;
  {
    tcp::acceptor probe(ioc, {net::ip::make_address("127.0.0.1"), 0});
    port = probe.local_endpoint().port();
  }
  WatchersConfig config;
  config.host = "127.0.0.1";
  config.port = std::to_string(port);
  config.target = "/live";
  config.clients = 3;
  config.threads = 2;
  const auto r = run_watchers(config);
  EXPECT_FALSE(r.timed_out);
  for (const auto& c : r.clients) {
    EXPECT_FALSE(c.tcp_connected);
    EXPECT_NE(c.failure.find("TCP connect"), std::string::npos) << c.failure;
  }
}

TEST(Watchers, BadSetupIsReportedNotRun) {
  WatchersConfig config;
  config.host = "no-such-host.invalid";
  config.port = "80";
  EXPECT_FALSE(run_watchers(config).setup_error.empty());
  config.host = "127.0.0.1";
  config.clients = 0;
  EXPECT_FALSE(run_watchers(config).setup_error.empty());
}

}  // namespace
}  // namespace levain::loadgen
