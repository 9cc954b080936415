#include "auth/signature.hpp"

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <limits>
#include <optional>
#include <stdexcept>

#include "auth/key_material.hpp"
#include "auth/openssl_ptr.hpp"

namespace levain::auth::detail {
namespace {

constexpr std::size_t kEs256Half = 32;  // P-256: R and S are 32 bytes each (RFC 7518 §3.4)

const unsigned char* bytes(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

bool hmac_matches(const std::string& secret, std::string_view input, std::string_view signature) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), bytes(input), input.size(),
           mac, &length) == nullptr) {
    return false;
  }
  return signature.size() == length && CRYPTO_memcmp(mac, signature.data(), length) == 0;
}

// JWS carries ES256 as R||S; OpenSSL verifies the DER form.
std::optional<std::string> es256_to_der(std::string_view raw) {
  if (raw.size() != 2 * kEs256Half) return std::nullopt;
  EcdsaSigPtr sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(bytes(raw), kEs256Half, nullptr);
  BIGNUM* s = BN_bin2bn(bytes(raw) + kEs256Half, kEs256Half, nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return std::nullopt;
  }
  const int length = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (length <= 0) return std::nullopt;
  std::string der(static_cast<std::size_t>(length), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ECDSA_SIG(sig.get(), &out) != length) return std::nullopt;
  return der;
}

bool digest_verifies(EVP_PKEY* key, std::string_view input, std::string_view signature) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  return ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1 &&
         EVP_DigestVerify(ctx.get(), bytes(signature), signature.size(), bytes(input),
                          input.size()) == 1;
}

}  // namespace

SignatureCheck::SignatureCheck(Algorithm algorithm, const std::string& key)
    : algorithm_(algorithm) {
  if (algorithm != Algorithm::HS256) {
    public_key_ = load_public_key(algorithm, key);
    return;
  }
  if (key.empty()) throw std::invalid_argument("unusable HS256 key: the secret is empty");
  if (key.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    throw std::invalid_argument("unusable HS256 key: the secret is too large");
  }
  secret_ = key;
}

bool SignatureCheck::valid(std::string_view signing_input, std::string_view signature) const {
  bool ok = false;
  switch (algorithm_) {
    case Algorithm::HS256:
      ok = hmac_matches(secret_, signing_input, signature);
      break;
    case Algorithm::RS256:
      ok = digest_verifies(public_key_.get(), signing_input, signature);
      break;
    case Algorithm::ES256:
      if (const auto der = es256_to_der(signature)) {
        ok = digest_verifies(public_key_.get(), signing_input, *der);
      }
      break;
  }
  ERR_clear_error();  // a forged token must not leave errors queued for the next OpenSSL caller
  return ok;
}

}  // namespace levain::auth::detail
