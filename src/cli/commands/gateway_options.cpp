#include "cli/commands/gateway_options.hpp"

#include <boost/algorithm/string/classification.hpp>
#include <boost/algorithm/string/split.hpp>
#include <vector>

#include "gateway/cors.hpp"

namespace levain::cli {

void add_gateway_flags(CLI::App& cmd, GatewayFlags& f, bool with_upstream) {
  cmd.add_option("--listen", f.listen, "HOST:PORT to listen on (port 0 picks a free one)")
      ->capture_default_str();
  if (with_upstream) {
    cmd.add_option("--upstream", f.upstreams,
                   "Training replicas, HOST:PORT[,HOST:PORT...]; requests go round robin")
        ->required();
  }
  add_auth_flags(cmd, f.auth);
  add_limit_flags(cmd, f.limits);
  cmd.add_option("--web-root", f.web_root, "Directory of the dashboard's files (served at /)");
  cmd.add_option("--tls-cert", f.tls_cert, "PEM certificate chain; with --tls-key: HTTPS/WSS only");
  cmd.add_option("--tls-key", f.tls_key, "PEM private key of --tls-cert");
  cmd.add_option("--cors-origin", f.cors_origins,
                 "Origin (scheme://host[:port]) whose pages may call the REST API; repeat for "
                 "more (in LEVAIN_CORS_ORIGIN: comma-separated)")
      ->delimiter(',');
  cmd.add_option("--io-threads", f.io_threads, "Network I/O threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  cmd.add_option("--token-cache-entries", f.token_cache_entries,
                 "Verified tokens remembered (0 turns the cache off)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{0}, std::size_t{10000000}));
  cmd.add_option("--upstream-connect-timeout-ms", f.upstream_connect_timeout_ms,
                 "Milliseconds to connect to a replica before trying the next one")
      ->capture_default_str()
      ->check(CLI::Range(10, 60000));
  cmd.add_option("--upstream-timeout", f.upstream_timeout_s,
                 "Seconds a replica may take to answer a REST request (then 504)")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  cmd.add_option("--log-level", f.log_level, "trace, debug, info, warn, error or off")
      ->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
}

gateway::GatewayConfig to_gateway_config(const GatewayFlags& f) {
  gateway::GatewayConfig c;
  std::tie(c.host, c.port) = split_host_port("--listen", f.listen);
  std::vector<std::string> parts;
  boost::algorithm::split(parts, f.upstreams, boost::algorithm::is_any_of(","));
  for (const auto& part : parts) {
    if (part.empty()) continue;
    auto [host, port] = split_host_port("--upstream", part);
    if (port == 0) throw CLI::ValidationError("--upstream", "an upstream needs a real port");
    c.upstreams.push_back({host, port});
  }
  if (c.upstreams.empty()) {
    throw CLI::ValidationError("--upstream", "give at least one training replica HOST:PORT");
  }
  c.auth = to_verifier_config(f.auth);
  c.web_root = f.web_root;
  if (f.tls_cert.empty() != f.tls_key.empty()) {
    throw CLI::ValidationError("--tls-cert", "--tls-cert and --tls-key go together");
  }
  c.tls_cert_file = f.tls_cert;
  c.tls_key_file = f.tls_key;
  for (const auto& origin : f.cors_origins) {
    if (auto problem = gateway::origin_problem(origin)) {
      throw CLI::ValidationError("--cors-origin", *problem);
    }
  }
  c.cors_origins = f.cors_origins;
  c.io_threads = f.io_threads;
  c.token_cache_entries = f.token_cache_entries;
  c.http = to_server_limits(f.limits);
  c.ws = to_live_limits(f.limits);
  c.upstream_connect_timeout = std::chrono::milliseconds(f.upstream_connect_timeout_ms);
  c.upstream_timeout = std::chrono::seconds(f.upstream_timeout_s);
  return c;
}

}  // namespace levain::cli
