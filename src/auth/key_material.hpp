#pragma once
/// Checks a configured key once, at construction, so a bad key is a startup error and never a
/// per-request surprise. Internal to levain_auth.

#include <openssl/types.h>

#include <memory>
#include <string>

#include "auth/token.hpp"

namespace levain::auth::detail {

/// Parses the PEM public key for RS256 (RSA, at least 2048 bits) or ES256 (EC on P-256).
/// Throws std::invalid_argument saying what is wrong with it.
std::shared_ptr<EVP_PKEY> load_public_key(Algorithm algorithm, const std::string& pem);

/// Checks that `key` fits `algorithm`: RSA of at least 2048 bits, or EC on P-256. Throws
/// std::invalid_argument ("unusable RS256 key: ...") when it does not.
void check_public_key(Algorithm algorithm, EVP_PKEY* key);

}  // namespace levain::auth::detail
