#pragma once
/// Flags that `levain training`, `levain demo` and `levain gateway` share, so the token rules and
/// HOST:PORT parsing read the same and fail with the same messages everywhere.

#include <CLI/CLI.hpp>
#include <stdexcept>
#include <string>
#include <utility>

#include "auth/token.hpp"
#include "cli/client/watch.hpp"
#include "cli/commands/key_source.hpp"
#include "common/http/listen_error.hpp"
#include "common/http/server.hpp"
#include "common/live/limits.hpp"

namespace levain::cli {

struct AuthFlags {
  std::string jwt_secret;
  std::string jwt_public_key;
  std::string jwt_alg;
  std::string jwt_issuer;
  std::string jwt_audience;
  int jwt_leeway_s = 30;
  KeySourceFlags jwks;
  /// Some key is configured (a secret, a public key or a key set).
  bool any_key() const {
    return !jwt_secret.empty() || !jwt_public_key.empty() || !jwks.jwks_file.empty() ||
           !jwks.jwks_url.empty();
  }
};

void add_auth_flags(CLI::App& cmd, AuthFlags& flags);

/// The limits every listening process has: HTTP reads and the WebSocket send side.
struct LimitFlags {
  std::size_t max_body_bytes = 64 * 1024 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  int header_timeout_s = 10;
  std::size_t max_connections = 10000;
  std::size_t ws_send_queue_bytes = 1024 * 1024;
  int ws_idle_timeout_s = 30;
  std::size_t ws_max_message_bytes = 4096;
};

void add_limit_flags(CLI::App& cmd, LimitFlags& flags);

/// `--transport ws|sse`, the one flag `levain watch`, `levain train` and `levain bench` share.
void add_transport_flag(CLI::App& cmd, LiveTransport& transport);

/// The live half of `flags`: what every WebSocket and event stream is bounded by.
common::live::Limits to_live_limits(const LimitFlags& flags);

/// The HTTP half of `flags` as the server takes it.
common::http::ServerLimits to_server_limits(const LimitFlags& flags);

/// Throws CLI::ValidationError when no key is given, two are, or the algorithm does not fit the
/// key kind; std::runtime_error when the key file or the key set cannot be read. A key set is
/// read here, once, and then kept fresh by its own thread.
auth::VerifierConfig to_verifier_config(const AuthFlags& flags);

/// Runs `start` (which listens); a common::http::ListenError comes out as a std::runtime_error
/// ending in ": choose another with FLAG", the flag that set the address.
template <class Start>
auto naming_listen_flag(const char* flag, Start&& start) -> decltype(start()) {
  try {
    return start();
  } catch (const common::http::ListenError& e) {
    throw std::runtime_error(std::string(e.what()) + ": choose another with " + flag);
  }
}

/// "HOST:PORT" -> (host, port); `flag` names the option in the error.
std::pair<std::string, unsigned short> split_host_port(const std::string& flag,
                                                       const std::string& text);

}  // namespace levain::cli
