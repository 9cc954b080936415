#include "fuzz_keys.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <array>
#include <limits>
#include <stdexcept>

#include "auth/openssl_ptr.hpp"

namespace levain::fuzz {
namespace {

constexpr std::string_view kSecret = "levain-fuzz-secret-not-for-production";
constexpr std::size_t kEcHalf = 32;  // P-256: R and S are 32 bytes each in a JWS

using auth::detail::BioPtr;
using auth::detail::MdCtxPtr;
using auth::detail::PkeyPtr;
using SigPtr = auth::detail::EcdsaSigPtr;

const unsigned char* bytes(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

std::string public_pem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key) != 1) throw std::runtime_error("PEM export");
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(length));
}

/// DER signature (OpenSSL's form) of SHA-256(`input`).
std::string digest_sign(EVP_PKEY* key, std::string_view input) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  std::size_t length = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &length, bytes(input), input.size()) != 1) {
    throw std::runtime_error("EVP_DigestSign setup");
  }
  std::string out(length, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &length, bytes(input),
                     input.size()) != 1) {
    throw std::runtime_error("EVP_DigestSign");
  }
  out.resize(length);
  return out;
}

bool digest_verify(EVP_PKEY* key, std::string_view input, std::string_view signature) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  return ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1 &&
         EVP_DigestVerify(ctx.get(), bytes(signature), signature.size(), bytes(input),
                          input.size()) == 1;
}

/// ECDSA DER → JWS R||S.
std::string der_to_raw(const std::string& der) {
  const unsigned char* cursor = bytes(der);
  SigPtr sig(d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(der.size())));
  if (!sig) throw std::runtime_error("d2i_ECDSA_SIG");
  std::string out(2 * kEcHalf, '\0');
  auto* raw = reinterpret_cast<unsigned char*>(out.data());
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), raw, kEcHalf) != kEcHalf ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), raw + kEcHalf, kEcHalf) != kEcHalf) {
    throw std::runtime_error("BN_bn2binpad");
  }
  return out;
}

/// JWS R||S → ECDSA DER; empty when the length is not that of a P-256 signature.
std::string raw_to_der(std::string_view raw) {
  if (raw.size() != 2 * kEcHalf) return {};
  SigPtr sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(bytes(raw), kEcHalf, nullptr);
  BIGNUM* s = BN_bin2bn(bytes(raw) + kEcHalf, kEcHalf, nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    throw std::runtime_error("ECDSA_SIG_set0");
  }
  unsigned char* der = nullptr;
  const int length = i2d_ECDSA_SIG(sig.get(), &der);
  if (length <= 0) throw std::runtime_error("i2d_ECDSA_SIG");
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(length));
  OPENSSL_free(der);
  return out;
}

}  // namespace

struct FuzzKeys::Impl {
  PkeyPtr rsa{EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{2048})};
  PkeyPtr ec{EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")};
  std::string secret{kSecret};
  std::string rsa_pem;
  std::string ec_pem;
};

FuzzKeys::FuzzKeys() : impl_(std::make_unique<Impl>()) {
  if (!impl_->rsa || !impl_->ec) throw std::runtime_error("fuzz key generation failed");
  impl_->rsa_pem = public_pem(impl_->rsa.get());
  impl_->ec_pem = public_pem(impl_->ec.get());
}

FuzzKeys::~FuzzKeys() = default;

const std::string& FuzzKeys::verifier_key(auth::Algorithm algorithm) const {
  switch (algorithm) {
    case auth::Algorithm::HS256:
      return impl_->secret;
    case auth::Algorithm::RS256:
      return impl_->rsa_pem;
    case auth::Algorithm::ES256:
      return impl_->ec_pem;
  }
  throw std::logic_error("unknown algorithm");
}

std::string FuzzKeys::sign(auth::Algorithm algorithm, std::string_view signing_input) const {
  switch (algorithm) {
    case auth::Algorithm::HS256:
      return hmac_sha256(impl_->secret, signing_input);
    case auth::Algorithm::RS256:
      return digest_sign(impl_->rsa.get(), signing_input);
    case auth::Algorithm::ES256:
      return der_to_raw(digest_sign(impl_->ec.get(), signing_input));
  }
  throw std::logic_error("unknown algorithm");
}

bool FuzzKeys::signature_valid(auth::Algorithm algorithm, std::string_view signing_input,
                               std::string_view signature) const {
  switch (algorithm) {
    case auth::Algorithm::HS256: {
      const std::string expected = hmac_sha256(impl_->secret, signing_input);
      return signature.size() == expected.size() &&
             CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) == 0;
    }
    case auth::Algorithm::RS256:
      return digest_verify(impl_->rsa.get(), signing_input, signature);
    case auth::Algorithm::ES256: {
      const std::string der = raw_to_der(signature);
      return !der.empty() && digest_verify(impl_->ec.get(), signing_input, der);
    }
  }
  return false;
}

std::string hmac_sha256(std::string_view secret, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int length = 0;
  if (secret.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()) ||
      HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), bytes(data), data.size(),
           out.data(), &length) == nullptr) {
    throw std::runtime_error("HMAC");
  }
  return std::string(reinterpret_cast<const char*>(out.data()), length);
}

}  // namespace levain::fuzz
