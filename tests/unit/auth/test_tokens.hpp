#pragma once
/// Test-only token factory: generates RSA/EC key pairs with OpenSSL and signs arbitrary claims
/// with libjwt, or hand-builds tokens no honest signer would produce (alg none, tampering).

#include <jwt.h>

#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace levain::auth::testing {

struct KeyPair {
  std::string private_pem;
  std::string public_pem;
};

KeyPair make_rsa_key(unsigned bits = 2048);
KeyPair make_ec_key(const char* curve = "P-256");

/// Signs `claims` with libjwt; `key` is the HMAC secret or a private key PEM.
std::string sign(jwt_alg_t alg, std::string_view key, const boost::json::object& claims);

/// Signs `claims` under the header JSON given verbatim (libjwt always writes typ "JWT"), with
/// OpenSSL: `key` is the HMAC secret (HS256) or a private key PEM (RS256, ES256).
std::string sign_with_header(jwt_alg_t alg, std::string_view key, std::string_view header_json,
                             const boost::json::object& claims);
/// The same with the payload given as JSON text (duplicate names and all).
std::string sign_jws(jwt_alg_t alg, std::string_view key, std::string_view header_json,
                     std::string_view payload_json);

/// header.payload.signature from raw JSON text and raw signature bytes, base64url-encoded.
std::string assemble(std::string_view header_json, std::string_view payload_json,
                     std::string_view signature_bytes);

/// Replaces segment `index` (0 header, 1 payload, 2 signature) with already-encoded `segment`.
std::string replace_segment(const std::string& token, int index, std::string_view segment);

/// The public half of `pair` as a JWK (RFC 7517 §4, RFC 7518 §6), with `kid` and `alg` when
/// given.
boost::json::object public_jwk(const KeyPair& pair, std::string_view kid,
                               std::string_view alg = {});
/// {"keys": [...]} as text.
std::string jwks(const std::vector<boost::json::object>& keys);
/// Signs `claims` (RS256 or ES256) under a header that names `kid`.
std::string sign_kid(jwt_alg_t alg, std::string_view private_pem, std::string_view kid,
                     const boost::json::object& claims);

}  // namespace levain::auth::testing
