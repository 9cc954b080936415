#include "cli/commands/common_flags.hpp"

#include <stdexcept>

namespace levain::cli {

void add_auth_flags(CLI::App& cmd, AuthFlags& f) {
  cmd.add_option("--jwt-secret", f.jwt_secret, "HS256 shared secret (development)");
  cmd.add_option("--jwt-public-key", f.jwt_public_key,
                 "PEM public key file of the identity provider (RS256/ES256)");
  cmd.add_option("--jwt-alg", f.jwt_alg, "Token algorithm: HS256, RS256 or ES256")
      ->check(CLI::IsMember({"HS256", "RS256", "ES256"}));
  cmd.add_option("--jwt-issuer", f.jwt_issuer, "Required `iss` claim, when set");
  cmd.add_option("--jwt-audience", f.jwt_audience, "Required `aud` claim, when set");
  cmd.add_option("--jwt-leeway", f.jwt_leeway_s, "Clock skew allowed on exp/nbf/iat, seconds")
      ->capture_default_str()
      ->check(CLI::Range(0, 600));
  cmd.add_option("--jwt-jwks-file", f.jwks.jwks_file,
                 "JWKS file of the identity provider's RS256/ES256 keys; the token's kid picks "
                 "one, and the file is read again on the refresh schedule");
  cmd.add_option("--jwt-jwks-url", f.jwks.jwks_url,
                 "JWKS URL (http:// or https://) of the identity provider, read at start, on the "
                 "refresh schedule and on an unknown kid");
  cmd.add_option("--jwt-jwks-ca-file", f.jwks.jwks_ca_file,
                 "PEM CA certificate(s) for an https:// --jwt-jwks-url (default: the system's)");
  cmd.add_option("--jwt-jwks-refresh", f.jwks.refresh_s, "Seconds between reads of the key set")
      ->capture_default_str()
      ->check(CLI::Range(1, 86400));
  cmd.add_option("--jwt-jwks-min-interval", f.jwks.min_interval_s,
                 "Fewest seconds between two reads of the key set: bounds the reads that "
                 "unknown kids (and failed reads) bring forward")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
}

void add_limit_flags(CLI::App& cmd, LimitFlags& f) {
  cmd.add_option("--max-body-bytes", f.max_body_bytes, "Largest HTTP request body (CSV uploads)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 32));
  cmd.add_option("--max-header-bytes", f.max_header_bytes, "Largest HTTP request header")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 20));
  cmd.add_option("--header-timeout", f.header_timeout_s,
                 "Seconds allowed to send a request's headers (slowloris guard)")
      ->capture_default_str()
      ->check(CLI::Range(1, 600));
  cmd.add_option("--max-connections", f.max_connections,
                 "Open connections accepted at once, WebSockets included")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 22));
  cmd.add_option("--ws-send-queue-bytes", f.ws_send_queue_bytes,
                 "Bytes queued towards one live client (WebSocket or event stream) before it is "
                 "closed with 1008")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 30));
  cmd.add_option("--ws-idle-timeout", f.ws_idle_timeout_s,
                 "Seconds: a silent WebSocket peer gets a protocol ping within this time, and is "
                 "dropped if it stays silent half as long again")
      ->capture_default_str()
      ->check(CLI::Range(2, 3600));
  cmd.add_option("--ws-max-message-bytes", f.ws_max_message_bytes,
                 "Largest message a client may send")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{16}, std::size_t{1} << 20));
}

void add_transport_flag(CLI::App& cmd, LiveTransport& transport) {
  cmd.add_option_function<std::string>(
         "--transport",
         [&transport](const std::string& name) {
           transport = name == "sse" ? LiveTransport::sse : LiveTransport::websocket;
         },
         "Live transport: ws (WebSocket) or sse (Server-Sent Events, for proxies that break "
         "WebSockets)")
      ->check(CLI::IsMember({"ws", "sse"}))
      ->default_str("ws");
}

common::live::Limits to_live_limits(const LimitFlags& f) {
  common::live::Limits l;
  l.send_queue_bytes = f.ws_send_queue_bytes;
  l.idle_timeout = std::chrono::seconds(f.ws_idle_timeout_s);
  l.max_message_bytes = f.ws_max_message_bytes;
  return l;
}

common::http::ServerLimits to_server_limits(const LimitFlags& f) {
  common::http::ServerLimits l;
  l.max_body_bytes = f.max_body_bytes;
  l.max_header_bytes = f.max_header_bytes;
  l.header_timeout = std::chrono::seconds(f.header_timeout_s);
  l.max_connections = f.max_connections;
  return l;
}

auth::VerifierConfig to_verifier_config(const AuthFlags& f) {
  auth::VerifierConfig c;
  const bool key_set = !f.jwks.jwks_file.empty() || !f.jwks.jwks_url.empty();
  if (!f.jwks.jwks_ca_file.empty() && f.jwks.jwks_url.empty()) {
    throw CLI::ValidationError("--jwt-jwks-ca-file", "it is for --jwt-jwks-url https://…");
  }
  if (key_set) {
    if (!f.jwt_public_key.empty() || !f.jwt_secret.empty()) {
      throw CLI::ValidationError("--jwt-jwks-file",
                                 "a key set replaces --jwt-secret and "
                                 "--jwt-public-key: give one kind of key");
    }
    if (!f.jwt_alg.empty()) {
      throw CLI::ValidationError("--jwt-alg",
                                 "each key of a key set says its algorithm; drop "
                                 "--jwt-alg");
    }
    c.key_ring = start_key_ring(f.jwks);
  } else if (!f.jwt_public_key.empty()) {
    if (f.jwt_alg.empty() || f.jwt_alg == "HS256") {
      throw CLI::ValidationError("--jwt-alg", "--jwt-public-key needs --jwt-alg RS256 or ES256");
    }
    c.algorithm = *auth::parse_algorithm(f.jwt_alg);
    c.key = auth::read_key_file(f.jwt_public_key);
  } else if (!f.jwt_secret.empty()) {
    if (!f.jwt_alg.empty() && f.jwt_alg != "HS256") {
      throw CLI::ValidationError("--jwt-alg", "--jwt-secret is for HS256; use --jwt-public-key");
    }
    c.algorithm = auth::Algorithm::HS256;
    c.key = f.jwt_secret;
  } else {
    throw CLI::ValidationError("--jwt-secret",
                               "tokens must be verifiable: give --jwt-secret, --jwt-public-key or "
                               "--jwt-jwks-url");
  }
  c.issuer = f.jwt_issuer;
  c.audience = f.jwt_audience;
  c.leeway = std::chrono::seconds(f.jwt_leeway_s);
  return c;
}

std::pair<std::string, unsigned short> split_host_port(const std::string& flag,
                                                       const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    throw CLI::ValidationError(flag, "expected HOST:PORT, e.g. 127.0.0.1:8081, got '" + text + "'");
  }
  try {
    std::size_t used = 0;
    const auto port = std::stoul(text.substr(colon + 1), &used);
    if (used != text.size() - colon - 1 || port > 65535) throw std::out_of_range("port");
    return {text.substr(0, colon), static_cast<unsigned short>(port)};
  } catch (const std::exception&) {
    throw CLI::ValidationError(flag, "port must be a number from 0 to 65535 in '" + text + "'");
  }
}

}  // namespace levain::cli
