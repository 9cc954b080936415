#include <memory>
#include <stdexcept>
#include <string_view>

#include "auth/key_ring.hpp"
#include "auth/signature.hpp"
#include "auth/token.hpp"
#include "auth/verify_steps.hpp"

namespace levain::auth {
namespace {

using detail::Rejection;

constexpr std::chrono::seconds kMaxLeeway{24 * 3600};

/// Names only registered JWS algorithms (RFC 7518 §3.1), so a message never repeats arbitrary
/// token text ("HS256\u0000<any text>" is not one of them).
std::string describe_alg(const std::string& alg) {
  static constexpr std::string_view kKnown[] = {"none",  "HS256", "HS384", "HS512", "RS256",
                                                "RS384", "RS512", "ES256", "ES384", "ES512",
                                                "PS256", "PS384", "PS512"};
  for (const std::string_view name : kKnown) {
    if (alg == name) return "'" + alg + "'";
  }
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

std::shared_ptr<const detail::SignatureCheck> configured_check(const VerifierConfig& config) {
  if (config.key_ring) return nullptr;
  return std::make_shared<const detail::SignatureCheck>(config.algorithm, config.key);
}

}  // namespace

TokenVerifier::TokenVerifier(VerifierConfig config)
    : config_(validated(std::move(config))), signature_(configured_check(config_)) {}

std::uint64_t TokenVerifier::key_generation() const {
  return config_.key_ring ? config_.key_ring->generation() : 0;
}

namespace {

/// The check for a JWKS token: the key its kid selects, of the algorithm the token names.
std::shared_ptr<const detail::SignatureCheck> key_set_check(KeyRing& ring,
                                                            const detail::TokenParts& parts,
                                                            std::optional<Rejection>& refused) {
  const auto alg = parse_algorithm(parts.alg);
  if (!alg || *alg == Algorithm::HS256) {
    refused =
        Rejection{Failure::wrong_algorithm, "token is signed with " + describe_alg(parts.alg) +
                                                ", but only RS256 and ES256 keys are in "
                                                "the key set"};
    return nullptr;
  }
  const auto key = ring.find(parts.kid);
  if (!key) {
    // Never repeats the kid: it is the token's text, chosen by whoever sent it.
    refused = Rejection{Failure::unknown_key, parts.kid.empty()
                                                  ? "token has no key id (kid) the key set knows"
                                                  : "token key id (kid) is not in the key set"};
    return nullptr;
  }
  if (key->algorithm != *alg) {
    refused =
        Rejection{Failure::wrong_algorithm, "token is signed with " + describe_alg(parts.alg) +
                                                ", but its key (kid) is an " +
                                                std::string(to_string(key->algorithm)) + " key"};
    return nullptr;
  }
  return std::shared_ptr<const detail::SignatureCheck>(key, key->check.get());
}

}  // namespace

VerifyResult TokenVerifier::verify(std::string_view token,
                                   std::chrono::system_clock::time_point now) const {
  if (token.empty()) return refuse(Failure::missing, "no token was presented");
  if (token.size() > config_.max_token_bytes) {
    return refuse(Failure::too_large,
                  "token is larger than " + std::to_string(config_.max_token_bytes) + " bytes");
  }

  detail::TokenParts parts;
  if (auto rejection = detail::check_shape(token, parts)) return refuse(std::move(*rejection));
  if (parts.embedded_key) {
    return refuse(Failure::embedded_key,
                  "token header carries its own key (jwk, jku, x5u or x5c); keys come only from "
                  "the configuration");
  }
  const std::string_view expected = to_string(config_.algorithm);
  if (!config_.key_ring && parts.alg != expected) {
    return refuse(Failure::wrong_algorithm, "token is signed with " + describe_alg(parts.alg) +
                                                ", but only " + std::string(expected) +
                                                " is accepted");
  }
  // Explicit typing (RFC 8725 §3.11): a logout token or security event signed by the same
  // identity provider must not pass for an access token.
  if (parts.typ && !detail::is_access_token_type(*parts.typ)) {
    return refuse(Failure::wrong_type,
                  "token type (header typ) is not an access token: accepted are JWT, at+jwt and "
                  "application/at+jwt");
  }
  std::shared_ptr<const detail::SignatureCheck> check = signature_;
  if (config_.key_ring) {
    std::optional<Rejection> refused;
    check = key_set_check(*config_.key_ring, parts, refused);
    if (!check) return refuse(std::move(*refused));
  }
  // The configured algorithm (or the key's), never the header's alone, picks the check: no
  // algorithm confusion.
  if (!check->valid(parts.signing_input, parts.signature)) {
    return refuse(Failure::bad_signature, "token signature is not valid for the configured key");
  }

  const auto now_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  Claims claims;
  if (auto rejection = detail::check_claims(parts.payload, config_, now_seconds, claims)) {
    return refuse(std::move(*rejection));
  }
  VerifyResult result;
  result.claims = std::move(claims);
  return result;
}

}  // namespace levain::auth
