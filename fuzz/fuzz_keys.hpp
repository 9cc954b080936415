#pragma once
/// Fuzz-only key material and an independent JWS signature oracle. Keys are generated in memory
/// when a fuzzer starts (no private key lives in the repository); the oracle checks signatures
/// with OpenSSL directly, so a token the verifier accepts can be re-checked without libjwt.

#include <memory>
#include <string>
#include <string_view>

#include "auth/token.hpp"

namespace levain::fuzz {

class FuzzKeys {
 public:
  /// Generates an RSA-2048 and a P-256 key pair. Throws std::runtime_error if OpenSSL fails.
  FuzzKeys();
  ~FuzzKeys();
  FuzzKeys(const FuzzKeys&) = delete;
  FuzzKeys& operator=(const FuzzKeys&) = delete;

  /// The verifier's key for `algorithm`: the HS256 secret or the public key as PEM.
  const std::string& verifier_key(auth::Algorithm algorithm) const;

  /// The raw JWS signature (HMAC bytes, PKCS#1 v1.5 bytes, or ES256's 64-byte R||S) of
  /// `signing_input` ("header.payload" as sent).
  std::string sign(auth::Algorithm algorithm, std::string_view signing_input) const;

  /// True when `signature` is a valid JWS signature of `signing_input` under `algorithm` and
  /// this object's key for it.
  bool signature_valid(auth::Algorithm algorithm, std::string_view signing_input,
                       std::string_view signature) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// HMAC-SHA256 of `data` under `secret`, as raw bytes (also used to forge key-confusion tokens).
std::string hmac_sha256(std::string_view secret, std::string_view data);

}  // namespace levain::fuzz
