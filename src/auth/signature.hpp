#pragma once
/// JWS signature checks (RFC 7518 §3.2-3.4) for the one configured algorithm, done with OpenSSL
/// here rather than by libjwt's jwt_decode: libjwt 1.10 also refuses every header `typ` but
/// "JWT", which would refuse RFC 9068 access tokens (`at+jwt`) before their signature is read.
/// Internal to levain_auth.

#include <openssl/types.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "auth/token.hpp"

namespace levain::auth::detail {

class SignatureCheck {
 public:
  /// `key`: the HS256 secret, or the RS256/ES256 PEM public key. Throws std::invalid_argument
  /// for an unusable key (see load_public_key).
  SignatureCheck(Algorithm algorithm, const std::string& key);
  /// An RS256/ES256 check over a key already checked with check_public_key (a JWKS key).
  SignatureCheck(Algorithm algorithm, std::shared_ptr<EVP_PKEY> public_key)
      : algorithm_(algorithm), public_key_(std::move(public_key)) {}

  /// Whether `signature` (decoded bytes) signs `signing_input` ("header.payload" as sent) under
  /// the configured algorithm and key. Safe to call from several threads at once.
  bool valid(std::string_view signing_input, std::string_view signature) const;

 private:
  Algorithm algorithm_;
  std::string secret_;                    // HS256
  std::shared_ptr<EVP_PKEY> public_key_;  // RS256, ES256
};

}  // namespace levain::auth::detail
