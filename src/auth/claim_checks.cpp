#include <array>
#include <cmath>
#include <ctime>
#include <limits>
#include <string>
#include <vector>

#include "auth/verify_steps.hpp"

namespace levain::auth::detail {
namespace {

Rejection bad_claims(std::string message) { return {Failure::bad_claims, std::move(message)}; }

/// RFC 7519 NumericDate: a JSON number of seconds, possibly fractional.
std::optional<std::int64_t> numeric_date(const boost::json::value& value) {
  if (const std::int64_t* integer = value.if_int64()) return *integer;
  if (const std::uint64_t* unsigned_integer = value.if_uint64()) {
    if (*unsigned_integer > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return std::nullopt;
    }
    return static_cast<std::int64_t>(*unsigned_integer);
  }
  if (const double* real = value.if_double()) {
    // 2^62 keeps the cast defined and is far beyond any real date.
    constexpr double kLimit = 4611686018427387904.0;
    if (!std::isfinite(*real) || std::fabs(*real) >= kLimit) return std::nullopt;
    return static_cast<std::int64_t>(std::floor(*real));
  }
  return std::nullopt;
}

/// Reads an optional date claim; a present claim of the wrong type is a rejection.
std::optional<Rejection> read_date(const boost::json::object& payload, const char* name,
                                   std::optional<std::int64_t>& out) {
  const boost::json::value* value = payload.if_contains(name);
  if (value == nullptr) return std::nullopt;
  out = numeric_date(*value);
  if (!out) return bad_claims("claim '" + std::string(name) + "' is not a valid NumericDate");
  return std::nullopt;
}

/// Reads an array-of-strings claim. Absent leaves `out` empty and sets `present` false.
std::optional<Rejection> read_string_array(const boost::json::object& payload, const char* name,
                                           std::vector<std::string>& out, bool& present) {
  const boost::json::value* value = payload.if_contains(name);
  present = value != nullptr;
  if (!present) return std::nullopt;
  const boost::json::array* array = value->if_array();
  if (array == nullptr) {
    return bad_claims("claim '" + std::string(name) + "' must be an array of strings");
  }
  out.reserve(array->size());
  for (const boost::json::value& item : *array) {
    const boost::json::string* text = item.if_string();
    if (text == nullptr) {
      return bad_claims("claim '" + std::string(name) + "' must be an array of strings");
    }
    out.emplace_back(*text);
  }
  return std::nullopt;
}

bool audience_matches(const boost::json::value& aud, std::string_view expected) {
  if (const boost::json::string* single = aud.if_string()) return *single == expected;
  if (const boost::json::array* many = aud.if_array()) {
    for (const boost::json::value& item : *many) {
      const boost::json::string* text = item.if_string();
      if (text != nullptr && *text == expected) return true;
    }
  }
  return false;
}

std::optional<Rejection> check_times(const boost::json::object& payload, std::int64_t now,
                                     std::int64_t leeway, std::int64_t& expires_at) {
  std::optional<std::int64_t> exp;
  std::optional<std::int64_t> nbf;
  std::optional<std::int64_t> iat;
  if (auto rejection = read_date(payload, "exp", exp)) return rejection;
  if (!exp) return Rejection{Failure::missing_exp, "token has no expiry (exp claim)"};
  if (auto rejection = read_date(payload, "nbf", nbf)) return rejection;
  if (auto rejection = read_date(payload, "iat", iat)) return rejection;

  // `now` comes from a system_clock time_point, so now ± one day of leeway cannot overflow;
  // claim values are only ever compared, never added to.
  if (now - leeway >= *exp) {
    return Rejection{Failure::expired, "token expired at " + format_utc(*exp)};
  }
  if (nbf && now + leeway < *nbf) {
    return Rejection{Failure::not_yet_valid, "token not valid before " + format_utc(*nbf)};
  }
  if (iat && now + leeway < *iat) {
    return Rejection{Failure::not_yet_valid,
                     "token issued in the future (iat " + format_utc(*iat) + ")"};
  }
  expires_at = *exp;
  return std::nullopt;
}

}  // namespace

std::string format_utc(std::int64_t unix_seconds) {
  constexpr std::int64_t kYear9999 = 253402300799;  // keeps strftime to four-digit years
  if (unix_seconds >= 0 && unix_seconds <= kYear9999) {
    const std::time_t seconds = static_cast<std::time_t>(unix_seconds);
    std::tm parts{};
    std::array<char, 32> text{};
    if (gmtime_r(&seconds, &parts) != nullptr &&
        std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%SZ", &parts) > 0) {
      return text.data();
    }
  }
  return std::to_string(unix_seconds) + " (Unix seconds)";
}

std::optional<Rejection> check_claims(const boost::json::object& payload,
                                      const VerifierConfig& config, std::int64_t now_seconds,
                                      Claims& claims) {
  Claims result;
  if (auto rejection =
          check_times(payload, now_seconds, config.leeway.count(), result.expires_at)) {
    return rejection;
  }

  if (!config.issuer.empty()) {
    const boost::json::value* iss = payload.if_contains("iss");
    if (iss == nullptr || !iss->is_string() || iss->get_string() != config.issuer) {
      return Rejection{Failure::wrong_issuer, "token issuer is not the configured issuer"};
    }
  }
  if (!config.audience.empty()) {
    const boost::json::value* aud = payload.if_contains("aud");
    if (aud == nullptr || !audience_matches(*aud, config.audience)) {
      return Rejection{Failure::wrong_audience,
                       "token audience does not include the configured audience"};
    }
  }

  if (const boost::json::value* sub = payload.if_contains("sub")) {
    if (!sub->is_string()) return bad_claims("claim 'sub' must be a string");
    result.subject = std::string(sub->get_string());
  }
  bool present = false;
  if (auto rejection = read_string_array(payload, "tenants", result.tenants, present)) {
    return rejection;
  }
  if (!present) return bad_claims("token has no 'tenants' claim");
  if (auto rejection = read_string_array(payload, "roles", result.roles, present)) {
    return rejection;
  }
  claims = std::move(result);
  return std::nullopt;
}

}  // namespace levain::auth::detail
