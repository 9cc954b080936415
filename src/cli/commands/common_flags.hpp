#pragma once
/// Flags that `levain training`, `levain demo` and `levain gateway` share, so the token rules and
/// HOST:PORT parsing read the same and fail with the same messages everywhere.

#include <CLI/CLI.hpp>
#include <string>
#include <utility>

#include "auth/token.hpp"

namespace levain::cli {

struct AuthFlags {
  std::string jwt_secret;
  std::string jwt_public_key;
  std::string jwt_alg;
  std::string jwt_issuer;
  std::string jwt_audience;
  int jwt_leeway_s = 30;
};

void add_auth_flags(CLI::App& cmd, AuthFlags& flags);

/// Throws CLI::ValidationError when no key is given or the algorithm does not fit the key kind;
/// std::runtime_error when the key file cannot be read.
auth::VerifierConfig to_verifier_config(const AuthFlags& flags);

/// "HOST:PORT" -> (host, port); `flag` names the option in the error.
std::pair<std::string, unsigned short> split_host_port(const std::string& flag,
                                                       const std::string& text);

}  // namespace levain::cli
