#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "auth/base64url.hpp"
#include "auth/verify_steps.hpp"

namespace levain::auth::detail {
namespace {

bool is_token_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.';
}

Rejection malformed(std::string message) { return {Failure::malformed, std::move(message)}; }

/// Decodes one segment into a JSON object, or explains why it is not one.
std::optional<Rejection> decode_object(std::string_view segment, std::string_view name,
                                       boost::json::object& out) {
  const std::optional<std::string> bytes = base64url_decode(segment);
  if (!bytes) return malformed("token " + std::string(name) + " is not valid base64url");
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(*bytes, ec);
  if (ec) return malformed("token " + std::string(name) + " is not valid JSON");
  if (!value.is_object()) {
    return malformed("token " + std::string(name) + " is not a JSON object");
  }
  out = std::move(value.get_object());
  return std::nullopt;
}

}  // namespace

std::optional<Rejection> check_shape(std::string_view token, TokenParts& parts) {
  for (const char c : token) {
    if (!is_token_char(c)) return malformed("token contains characters outside base64url");
  }
  const std::size_t first_dot = token.find('.');
  const std::size_t second_dot =
      first_dot == std::string_view::npos ? first_dot : token.find('.', first_dot + 1);
  if (second_dot == std::string_view::npos ||
      token.find('.', second_dot + 1) != std::string_view::npos) {
    return malformed("token must have exactly three dot-separated segments");
  }
  const std::string_view header_text = token.substr(0, first_dot);
  const std::string_view payload_text = token.substr(first_dot + 1, second_dot - first_dot - 1);
  const std::string_view signature_text = token.substr(second_dot + 1);
  if (header_text.empty() || payload_text.empty()) {
    return malformed("token header or payload segment is empty");
  }

  boost::json::object header;
  if (auto rejection = decode_object(header_text, "header", header)) return rejection;
  if (auto rejection = decode_object(payload_text, "payload", parts.payload)) return rejection;
  std::optional<std::string> signature = base64url_decode(signature_text);
  if (!signature) return malformed("token signature is not valid base64url");

  const boost::json::value* alg_value = header.if_contains("alg");
  if (alg_value == nullptr || !alg_value->is_string()) {
    return malformed("token header has no algorithm");
  }
  // RFC 7515 §4.1.11: extensions marked critical that we do not understand must be refused.
  if (header.contains("crit")) return malformed("token header has unsupported critical extensions");
  if (const boost::json::value* typ = header.if_contains("typ")) {
    if (!typ->is_string()) return malformed("token header typ is not a string");
    parts.typ = std::string(typ->get_string());
  }
  if (const boost::json::value* kid = header.if_contains("kid")) {
    if (!kid->is_string()) return malformed("token header kid is not a string");
    parts.kid = std::string(kid->get_string());
  }
  // RFC 8725 §3.10: a key the token brings (or points at) proves nothing; the verifier refuses.
  for (const char* name : {"jwk", "jku", "x5u", "x5c"}) {
    if (header.contains(name)) parts.embedded_key = true;
  }
  parts.alg = std::string(alg_value->get_string());
  parts.signing_input = token.substr(0, second_dot);
  parts.signature = std::move(*signature);
  return std::nullopt;
}

bool is_access_token_type(std::string_view typ) {
  constexpr std::string_view kPrefix = "application/";
  if (typ.size() > kPrefix.size() && iequals(typ.substr(0, kPrefix.size()), kPrefix)) {
    typ.remove_prefix(kPrefix.size());
  }
  return iequals(typ, "jwt") || iequals(typ, "at+jwt");
}

}  // namespace levain::auth::detail
