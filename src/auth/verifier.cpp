#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <stdexcept>

#include "auth/jwt_handle.hpp"
#include "auth/key_material.hpp"
#include "auth/token.hpp"
#include "auth/verify_steps.hpp"

namespace levain::auth {
namespace {

constexpr std::chrono::seconds kMaxLeeway{24 * 3600};

jwt_alg_t to_libjwt(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::HS256:
      return JWT_ALG_HS256;
    case Algorithm::RS256:
      return JWT_ALG_RS256;
    case Algorithm::ES256:
      return JWT_ALG_ES256;
  }
  return JWT_ALG_INVAL;
}

/// Names only algorithms libjwt knows, so a message never repeats arbitrary token text. The
/// round trip matters: jwt_str_alg reads a C string, so "HS256\u0000<any text>" alone would pass.
std::string describe_alg(const std::string& alg) {
  const jwt_alg_t known = jwt_str_alg(alg.c_str());
  const char* name = known == JWT_ALG_INVAL ? nullptr : jwt_alg_str(known);
  if (name != nullptr && alg == name) return "'" + alg + "'";
  return "an unsupported algorithm";
}

VerifyResult refuse(Failure failure, std::string message) {
  VerifyResult result;
  result.failure = failure;
  result.message = std::move(message);
  return result;
}

VerifyResult refuse(detail::Rejection rejection) {
  return refuse(rejection.failure, std::move(rejection.message));
}

VerifierConfig validated(VerifierConfig config) {
  if (config.leeway < std::chrono::seconds::zero() || config.leeway > kMaxLeeway) {
    throw std::invalid_argument("token leeway must be between 0s and 86400s");
  }
  if (config.max_token_bytes == 0) {
    throw std::invalid_argument("max_token_bytes must be positive");
  }
  return config;
}

}  // namespace

TokenVerifier::TokenVerifier(VerifierConfig config)
    : config_(validated(std::move(config))),
      key_material_(detail::prepare_key_material(config_.algorithm, config_.key)) {}

VerifyResult TokenVerifier::verify(std::string_view token,
                                   std::chrono::system_clock::time_point now) const {
  if (token.empty()) return refuse(Failure::missing, "no token was presented");
  if (token.size() > config_.max_token_bytes) {
    return refuse(Failure::too_large,
                  "token is larger than " + std::to_string(config_.max_token_bytes) + " bytes");
  }

  std::string header_alg;
  if (auto rejection = detail::check_shape(token, header_alg)) return refuse(std::move(*rejection));
  const std::string_view expected = to_string(config_.algorithm);
  if (header_alg != expected) {
    return refuse(Failure::wrong_algorithm, "token is signed with " + describe_alg(header_alg) +
                                                ", but only " + std::string(expected) +
                                                " is accepted");
  }

  // check_shape guarantees no NUL byte, so the C string is the whole token.
  const std::string token_text(token);
  jwt_t* raw = nullptr;
  const int rc = jwt_decode(&raw, token_text.c_str(),
                            reinterpret_cast<const unsigned char*>(key_material_.data()),
                            static_cast<int>(key_material_.size()));
  detail::JwtPtr jwt(raw);
  if (rc != 0 || !jwt) {
    return refuse(Failure::bad_signature, "token signature is not valid for the configured key");
  }
  // Second line of defence against algorithm confusion: trust libjwt's own reading too.
  if (jwt_get_alg(jwt.get()) != to_libjwt(config_.algorithm)) {
    return refuse(Failure::wrong_algorithm,
                  "token algorithm is not the configured " + std::string(expected));
  }

  detail::MallocString grants(jwt_get_grants_json(jwt.get(), nullptr));
  if (!grants) return refuse(Failure::bad_claims, "token claims could not be read");
  boost::system::error_code ec;
  const boost::json::value payload = boost::json::parse(grants.get(), ec);
  if (ec || !payload.is_object()) {
    return refuse(Failure::bad_claims, "token claims are not a JSON object");
  }

  const auto now_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  Claims claims;
  if (auto rejection = detail::check_claims(payload.get_object(), config_, now_seconds, claims)) {
    return refuse(std::move(*rejection));
  }
  VerifyResult result;
  result.claims = std::move(claims);
  return result;
}

}  // namespace levain::auth
