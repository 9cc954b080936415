#pragma once
/// Base fixture of the integration tests: a fresh temp dir and JWT secret per test, servers
/// started on port 0 over that dir, and the REST steps most tests repeat (tokens, demo data,
/// upload, start/read/wait for jobs).

#include <gtest/gtest.h>

#include <boost/json/value.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "http_client.hpp"
#include "process.hpp"
#include "temp_dir.hpp"
#include "ws_client.hpp"

namespace levain::integration {

class LevainTest : public ::testing::Test {
 protected:
  void TearDown() override;

  /// Starts `levain training` on 127.0.0.1:0 with this test's data dir and secret plus `extra`.
  /// Each server appends its stderr to its own log in the temp dir.
  LevainProcess& start_server(const std::vector<std::string>& extra = {},
                              const std::string& data_subdir = "data");
  /// Starts `levain gateway` on 127.0.0.1:0 in front of `upstream_ports`, with this test's
  /// secret plus `extra`; its log is a server log like the others.
  LevainProcess& start_gateway(const std::vector<std::uint16_t>& upstream_ports,
                               const std::vector<std::string>& extra = {});
  LevainProcess& server() { return *servers_.back(); }
  HttpClient http() { return HttpClient(server().port()); }
  /// The server on `port`, or the last one started when it is 0 (the REST steps below take it).
  HttpClient http(std::uint16_t port) { return HttpClient(port != 0 ? port : server().port()); }

  /// A token from `levain token` (the CLI under test) for these tenants, role trainer if asked.
  std::string token(const std::vector<std::string>& tenants, bool trainer = true);

  std::string demo_csv(int products, int days, int seed = 7);
  /// Uploads and asserts 200; returns the body.
  boost::json::value upload(const std::string& tenant, const std::string& tok,
                            const std::string& csv, std::uint16_t port = 0);
  /// Starts a job (asserts 202); returns its id.
  /// The default body allows a job beside one still running: tests start several of a tenant.
  std::string start_job(const std::string& tenant, const std::string& tok,
                        const std::string& body = R"({"allow_concurrent": true})",
                        std::uint16_t port = 0);
  boost::json::value get_job(const std::string& tenant, const std::string& tok,
                             const std::string& job_id, std::uint16_t port = 0);
  /// Polls the job until its status is terminal; fails the test (and returns the last view)
  /// when the deadline passes first.
  boost::json::value wait_terminal(const std::string& tenant, const std::string& tok,
                                   const std::string& job_id,
                                   std::chrono::seconds deadline = std::chrono::seconds(240));
  std::string live_target(const std::string& tenant, const std::string& job_id,
                          const std::string& tok) const;
  std::unique_ptr<WsClient> watch(const std::string& tenant, const std::string& job_id,
                                  const std::string& tok, WsOptions options = {},
                                  std::uint16_t port = 0);

  static std::string jobs_path(const std::string& tenant) {
    return "/api/v1/tenants/" + tenant + "/training/jobs";
  }

  TempDir dir_;
  std::string secret_ = "integration-secret-" + std::to_string(::getpid());
  std::vector<std::unique_ptr<LevainProcess>> servers_;
};

}  // namespace levain::integration
