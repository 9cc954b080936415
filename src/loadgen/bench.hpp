#pragma once
/// `levain bench`: a load generator for the live endpoint. It opens N WebSocket watchers of one
/// job (its own job over P uploaded demo products, or an existing one), records every message of
/// every client, and reports loss per client, fan-out latency, delivery rate and the memory of
/// the server processes it is given — the numbers docs/benchmarks.md is made of.

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace levain::loadgen {

struct BenchOptions {
  std::string url;  // http:// or ws:// base of a replica or of the gateway
  std::string tenant;
  std::string token;   // either a token granting the tenant (role trainer with --products)
  std::string secret;  // or the HS256 secret to mint one (tenants=[tenant], roles=[trainer], 1 h)
  int clients = 100;
  bool sse = false;  // watch over Server-Sent Events instead of WebSocket
  int products = 0;  // > 0: upload demo data and start a job; else watch `job`
  int days = 365;    // days of demo history per product
  std::string job;
  bool gate = false;  // with products: queue a gate job first, cancel it once all joined
  std::vector<std::string> release_jobs;  // with job: cancel these (gates) once all joined
  int source_ips = 0;
  std::vector<int> pids;
  bool json = false;
  double connect_rate = 0;  // per second; 0 = unlimited
  int concurrency = 1000;   // connects/upgrades in flight
  int timeout_s = 600;
  double hold_s = 0;  // > 0: keep the connections this long once joined, then close them
  unsigned threads = 1;
  /// Several bench processes make one run when one process may not open enough sockets: each
  /// writes its sorted latency samples (µs, one per line) to latency_out, so the percentiles of
  /// the whole run are exact, and creates joined_file once all its clients joined (or failed),
  /// so whoever drives them knows when to release the job.
  std::string latency_out;
  std::string joined_file;
};

/// Exit codes: 0 every client joined and nothing was lost; 1 a client failed to join, lost or
/// duplicated a message, or the run timed out; 2 the run could not be set up (bad options, the
/// server refused the upload or the job, …). Errors and warnings go to `err`.
int run_bench(const BenchOptions& options, std::ostream& out, std::ostream& err);

}  // namespace levain::loadgen
