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

/// A token split and decoded by check_shape; the views point into the token checked.
struct TokenParts {
  std::string alg;
  std::optional<std::string> typ;  // the header's `typ`, when present
  std::string kid;                 // the header's `kid`; "" when it has none
  bool embedded_key = false;       // the header has jwk, jku, x5u or x5c
  boost::json::object payload;
  std::string_view signing_input;  // "header.payload" as sent: what the signature covers
  std::string signature;           // decoded bytes
};

/// Checks that `token` is three base64url segments whose first two are JSON objects with a
/// string `alg` (and a string `typ` and `kid`, if any), and fills `parts`. Any deviation is
/// Failure::malformed.
std::optional<Rejection> check_shape(std::string_view token, TokenParts& parts);

/// Whether a header `typ` marks an access token: "JWT" (RFC 7519 §5.1) or "at+jwt" (RFC 9068
/// §2.1), each case-insensitive and with an optional "application/" prefix (RFC 7515 §4.1.9).
bool is_access_token_type(std::string_view typ);

/// Checks the verified claims against the configuration and the time `now_seconds` (Unix), and
/// fills `claims` when they pass.
std::optional<Rejection> check_claims(const boost::json::object& payload,
                                      const VerifierConfig& config, std::int64_t now_seconds,
                                      Claims& claims);

/// ASCII case-insensitive equality (HTTP auth schemes, media types).
bool iequals(std::string_view a, std::string_view b);

/// "2026-11-27T10:00:00Z", or the plain number when the year is out of range.
std::string format_utc(std::int64_t unix_seconds);

}  // namespace levain::auth::detail
