#pragma once
/// The two halves of verification that do not touch libjwt: the shape check that runs before
/// any signature work (so malformed input never reaches the C library) and the claim checks that
/// run after it. Internal to levain_auth; split out so each is testable and fuzzable alone.

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auth/token.hpp"

namespace levain::auth::detail {

struct Rejection {
  Failure failure;
  std::string message;
};

/// Checks that `token` is three base64url segments whose first two are JSON objects, and
/// returns the header's `alg` in `alg`. Any deviation is Failure::malformed.
std::optional<Rejection> check_shape(std::string_view token, std::string& alg);

/// Checks the verified claims against the configuration and the time `now_seconds` (Unix), and
/// fills `claims` when they pass.
std::optional<Rejection> check_claims(const boost::json::object& payload,
                                      const VerifierConfig& config, std::int64_t now_seconds,
                                      Claims& claims);

/// "2026-11-27T10:00:00Z", or the plain number when the year is out of range.
std::string format_utc(std::int64_t unix_seconds);

}  // namespace levain::auth::detail
