#include <algorithm>
#include <cctype>

#include "auth/token.hpp"
#include "auth/verify_steps.hpp"

namespace levain::auth {
namespace detail {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace detail
namespace {

using detail::iequals;

std::string_view trim(std::string_view text) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

}  // namespace

std::optional<Algorithm> parse_algorithm(std::string_view name) {
  if (name == "HS256") return Algorithm::HS256;
  if (name == "RS256") return Algorithm::RS256;
  if (name == "ES256") return Algorithm::ES256;
  return std::nullopt;
}

std::string_view to_string(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::HS256:
      return "HS256";
    case Algorithm::RS256:
      return "RS256";
    case Algorithm::ES256:
      return "ES256";
  }
  return "unknown";
}

std::string_view to_string(Failure failure) {
  switch (failure) {
    case Failure::missing:
      return "missing";
    case Failure::too_large:
      return "too_large";
    case Failure::malformed:
      return "malformed";
    case Failure::wrong_algorithm:
      return "wrong_algorithm";
    case Failure::wrong_type:
      return "wrong_type";
    case Failure::embedded_key:
      return "embedded_key";
    case Failure::unknown_key:
      return "unknown_key";
    case Failure::bad_signature:
      return "bad_signature";
    case Failure::expired:
      return "expired";
    case Failure::not_yet_valid:
      return "not_yet_valid";
    case Failure::missing_exp:
      return "missing_exp";
    case Failure::wrong_issuer:
      return "wrong_issuer";
    case Failure::wrong_audience:
      return "wrong_audience";
    case Failure::bad_claims:
      return "bad_claims";
  }
  return "unknown";
}

bool Claims::grants(std::string_view tenant) const {
  return !tenant.empty() && std::find(tenants.begin(), tenants.end(), tenant) != tenants.end();
}

bool Claims::has_role(std::string_view role) const {
  return !role.empty() && std::find(roles.begin(), roles.end(), role) != roles.end();
}

std::optional<std::string> extract_token(std::string_view authorization_header,
                                         std::string_view query_token) {
  // RFC 6750 §2.1: the scheme is case-insensitive and followed by at least one space.
  const std::string_view header = trim(authorization_header);
  constexpr std::string_view kScheme = "Bearer";
  if (header.size() > kScheme.size() && iequals(header.substr(0, kScheme.size()), kScheme) &&
      (header[kScheme.size()] == ' ' || header[kScheme.size()] == '\t')) {
    const std::string_view token = trim(header.substr(kScheme.size()));
    if (!token.empty()) return std::string(token);
  }
  if (!query_token.empty()) return std::string(query_token);
  return std::nullopt;
}

}  // namespace levain::auth
