#pragma once
/// Checks a configured key once, at construction, so a bad key is a startup error and never a
/// per-request surprise. Internal to levain_auth.

#include <string>

#include "auth/token.hpp"

namespace levain::auth::detail {

/// Returns the bytes libjwt should be given for `algorithm`: the secret unchanged for HS256, or
/// the public key re-exported as canonical PEM for RS256/ES256. Throws std::invalid_argument.
std::string prepare_key_material(Algorithm algorithm, const std::string& key);

}  // namespace levain::auth::detail
