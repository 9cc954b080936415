#pragma once
/// What `levain gateway` is told: where to listen, which training replicas to spread over, how to
/// verify tokens, where the dashboard lives, TLS, and a limit for everything that grows.

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "auth/token.hpp"
#include "common/http/server.hpp"
#include "common/live/limits.hpp"

namespace levain::gateway {

struct Upstream {
  std::string host;
  unsigned short port = 0;
  std::string label() const { return host + ":" + std::to_string(port); }
};

struct GatewayConfig {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;
  std::vector<Upstream> upstreams;
  auth::VerifierConfig auth;
  std::size_t token_cache_entries = 10000;
  std::string web_root;  // empty: no static files
  std::string tls_cert_file;
  std::string tls_key_file;  // both set: HTTPS and WSS only
  /// Exact origins (scheme://host[:port]) whose pages may call the REST API (CORS).
  std::vector<std::string> cors_origins;
  unsigned io_threads = 2;
  common::http::ServerLimits http;
  /// Each live client's bounds, the service's own. The upstream is read at full speed
  /// regardless, so one slow screen never slows the replica.
  common::live::Limits ws;
  std::chrono::milliseconds upstream_connect_timeout{2000};
  std::chrono::seconds upstream_timeout{120};  // whole REST exchange with a replica
  std::size_t max_upstream_response_bytes = 64 * 1024 * 1024;
  std::chrono::seconds shutdown_grace{5};
};

}  // namespace levain::gateway
