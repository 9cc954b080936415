#pragma once
/// The flags of `levain gateway` and their translation into its configuration, with errors a
/// person can act on. `levain demo` reuses them for the gateway it runs.

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "cli/commands/common_flags.hpp"
#include "gateway/config.hpp"

namespace levain::cli {

struct GatewayFlags {
  std::string listen = "127.0.0.1:8080";
  std::string upstreams;  // HOST:PORT[,HOST:PORT...]
  AuthFlags auth;
  LimitFlags limits;
  std::string web_root;
  std::string tls_cert;
  std::string tls_key;
  std::vector<std::string> cors_origins;
  unsigned io_threads = 2;
  std::size_t token_cache_entries = 10000;
  int upstream_connect_timeout_ms = 2000;
  int upstream_timeout_s = 120;
  std::string log_level = "info";
};

/// `with_upstream` false: the caller supplies the upstreams (levain demo).
void add_gateway_flags(CLI::App& cmd, GatewayFlags& flags, bool with_upstream = true);

/// Throws CLI::ValidationError for inconsistent flags.
gateway::GatewayConfig to_gateway_config(const GatewayFlags& flags);

/// Runs a gateway until SIGINT/SIGTERM; returns the exit code.
int run_gateway(const GatewayFlags& flags);

}  // namespace levain::cli
