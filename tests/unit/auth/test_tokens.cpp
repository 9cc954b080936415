#include "test_tokens.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <boost/json/serialize.hpp>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <vector>

#include "auth/base64url.hpp"

namespace levain::auth::testing {
namespace {

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }
};
struct BioDeleter {
  void operator()(BIO* bio) const noexcept { BIO_free(bio); }
};
struct JwtDeleter {
  void operator()(jwt_t* jwt) const noexcept { jwt_free(jwt); }
};

std::string to_pem(EVP_PKEY* key, bool private_part) {
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new(BIO_s_mem()));
  const int ok =
      private_part ? PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)
                   : PEM_write_bio_PUBKEY(bio.get(), key);
  if (ok != 1) throw std::runtime_error("PEM export failed");
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(length));
}

KeyPair export_pair(EVP_PKEY* raw) {
  std::unique_ptr<EVP_PKEY, PkeyDeleter> key(raw);
  if (!key) throw std::runtime_error("key generation failed");
  return {to_pem(key.get(), true), to_pem(key.get(), false)};
}

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const noexcept { EVP_MD_CTX_free(ctx); }
};

const unsigned char* bytes(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

std::string digest_sign(std::string_view private_pem, std::string_view input) {
  std::unique_ptr<BIO, BioDeleter> bio(
      BIO_new_mem_buf(private_pem.data(), static_cast<int>(private_pem.size())));
  std::unique_ptr<EVP_PKEY, PkeyDeleter> key(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  std::size_t length = 0;
  if (!key || !ctx ||
      EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &length, bytes(input), input.size()) != 1) {
    throw std::runtime_error("signing failed");
  }
  std::string signature(length, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     bytes(input), input.size()) != 1) {
    throw std::runtime_error("signing failed");
  }
  signature.resize(length);
  return signature;
}

// OpenSSL's DER ECDSA signature as JWS's 64-byte R||S.
std::string der_to_raw(const std::string& der) {
  const unsigned char* p = bytes(der);
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  if (sig == nullptr) throw std::runtime_error("bad ECDSA signature");
  std::string raw(64, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  const bool ok = BN_bn2binpad(ECDSA_SIG_get0_r(sig), out, 32) == 32 &&
                  BN_bn2binpad(ECDSA_SIG_get0_s(sig), out + 32, 32) == 32;
  ECDSA_SIG_free(sig);
  if (!ok) throw std::runtime_error("bad ECDSA signature");
  return raw;
}

}  // namespace

std::string sign_with_header(jwt_alg_t alg, std::string_view key, std::string_view header_json,
                             const boost::json::object& claims) {
  return sign_jws(alg, key, header_json, boost::json::serialize(claims));
}

std::string sign_jws(jwt_alg_t alg, std::string_view key, std::string_view header_json,
                     std::string_view payload_json) {
  const std::string input = base64url_encode(header_json) + "." + base64url_encode(payload_json);
  std::string signature;
  if (alg == JWT_ALG_HS256) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), bytes(input), input.size(), mac,
         &length);
    signature.assign(reinterpret_cast<const char*>(mac), length);
  } else if (alg == JWT_ALG_RS256) {
    signature = digest_sign(key, input);
  } else if (alg == JWT_ALG_ES256) {
    signature = der_to_raw(digest_sign(key, input));
  } else {
    throw std::invalid_argument("sign_with_header: HS256, RS256 or ES256 only");
  }
  return input + "." + base64url_encode(signature);
}

KeyPair make_rsa_key(unsigned bits) {
  return export_pair(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(bits)));
}

KeyPair make_ec_key(const char* curve) {
  return export_pair(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve));
}

std::string sign(jwt_alg_t alg, std::string_view key, const boost::json::object& claims) {
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) throw std::runtime_error("jwt_new failed");
  std::unique_ptr<jwt_t, JwtDeleter> jwt(raw);
  if (jwt_add_grants_json(jwt.get(), boost::json::serialize(claims).c_str()) != 0) {
    throw std::runtime_error("jwt_add_grants_json failed");
  }
  if (jwt_set_alg(jwt.get(), alg, reinterpret_cast<const unsigned char*>(key.data()),
                  static_cast<int>(key.size())) != 0) {
    throw std::runtime_error("jwt_set_alg failed");
  }
  char* text = jwt_encode_str(jwt.get());
  if (text == nullptr) throw std::runtime_error("jwt_encode_str failed");
  std::string token(text);
  std::free(text);
  return token;
}

std::string assemble(std::string_view header_json, std::string_view payload_json,
                     std::string_view signature_bytes) {
  return base64url_encode(header_json) + "." + base64url_encode(payload_json) + "." +
         base64url_encode(signature_bytes);
}

std::string replace_segment(const std::string& token, int index, std::string_view segment) {
  std::vector<std::string> parts(1);
  for (const char c : token) {
    if (c == '.') {
      parts.emplace_back();
    } else {
      parts.back().push_back(c);
    }
  }
  parts.at(static_cast<std::size_t>(index)) = std::string(segment);
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i == 0 ? "" : ".") + parts[i];
  return out;
}

}  // namespace levain::auth::testing
