#pragma once
/// A JSON Web Key Set (RFC 7517 §5) as the verifier uses it: the signing keys an identity
/// provider publishes, each selected by its `kid` (docs/security.md, "Keys from a JWKS").
/// Only public RSA (RS256, at least 2048 bits) and EC P-256 (ES256) signing keys are taken; any
/// other key in the set (encryption keys, other algorithms, symmetric keys) is skipped with a
/// reason, so a provider's full set can be used as published.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "auth/token.hpp"

namespace levain::auth {

namespace detail {
class SignatureCheck;
}

/// More than this many keys, or a document larger than kMaxJwksBytes, is not a key set we take.
inline constexpr std::size_t kMaxJwksKeys = 100;
inline constexpr std::size_t kMaxJwksBytes = 256 * 1024;

struct Jwk {
  std::string kid;  // "" when the key has none: then only a token without `kid` selects it
  Algorithm algorithm = Algorithm::RS256;
  std::shared_ptr<const detail::SignatureCheck> check;
};

struct KeySet {
  std::vector<Jwk> keys;
  std::vector<std::string> skipped;  // "key 2 (kid 'enc-1'): it is an encryption key (use enc)"
  const Jwk* find(std::string_view kid) const;
};

/// Parses a JWKS document. Throws std::invalid_argument saying what is wrong when it is not one,
/// or when none of its keys can verify tokens (the skipped keys' reasons are in the message).
KeySet parse_jwks(std::string_view json);

}  // namespace levain::auth
