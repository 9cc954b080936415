#include "test_tokens.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <vector>

#include "auth/base64url.hpp"
#include "auth/jwt_handle.hpp"
#include "auth/openssl_ptr.hpp"

namespace levain::auth::testing {
namespace {

using detail::BioPtr;
using detail::BnPtr;
using detail::PkeyPtr;

std::string to_pem(EVP_PKEY* key, bool private_part) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  const int ok =
      private_part ? PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)
                   : PEM_write_bio_PUBKEY(bio.get(), key);
  if (ok != 1) throw std::runtime_error("PEM export failed");
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(length));
}

KeyPair export_pair(EVP_PKEY* raw) {
  PkeyPtr key(raw);
  if (!key) throw std::runtime_error("key generation failed");
  return {to_pem(key.get(), true), to_pem(key.get(), false)};
}

const unsigned char* bytes(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

std::string digest_sign(std::string_view private_pem, std::string_view input) {
  BioPtr bio(BIO_new_mem_buf(private_pem.data(), static_cast<int>(private_pem.size())));
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  detail::MdCtxPtr ctx(EVP_MD_CTX_new());
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
  detail::JwtPtr jwt(raw);
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

namespace levain::auth::testing {
namespace {

std::string bn_param(EVP_PKEY* key, const char* name, int pad) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) throw std::runtime_error("no key parameter");
  BnPtr n(raw);
  std::string out(static_cast<std::size_t>(pad > 0 ? pad : BN_num_bytes(n.get())), '\0');
  BN_bn2binpad(n.get(), reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size()));
  return base64url_encode(out);
}

}  // namespace

boost::json::object public_jwk(const KeyPair& pair, std::string_view kid, std::string_view alg) {
  BioPtr bio(BIO_new_mem_buf(pair.public_pem.data(), static_cast<int>(pair.public_pem.size())));
  PkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!key) throw std::runtime_error("not a public key PEM");
  boost::json::object jwk;
  if (EVP_PKEY_get_base_id(key.get()) == EVP_PKEY_RSA) {
    jwk = {{"kty", "RSA"},
           {"n", bn_param(key.get(), OSSL_PKEY_PARAM_RSA_N, 0)},
           {"e", bn_param(key.get(), OSSL_PKEY_PARAM_RSA_E, 0)}};
  } else {
    jwk = {{"kty", "EC"},
           {"crv", "P-256"},
           {"x", bn_param(key.get(), OSSL_PKEY_PARAM_EC_PUB_X, 32)},
           {"y", bn_param(key.get(), OSSL_PKEY_PARAM_EC_PUB_Y, 32)}};
  }
  if (!kid.empty()) jwk["kid"] = kid;
  if (!alg.empty()) jwk["alg"] = alg;
  return jwk;
}

std::string jwks(const std::vector<boost::json::object>& keys) {
  boost::json::array array;
  for (const auto& key : keys) array.push_back(key);
  return boost::json::serialize(boost::json::object{{"keys", std::move(array)}});
}

std::string sign_kid(jwt_alg_t alg, std::string_view private_pem, std::string_view kid,
                     const boost::json::object& claims) {
  const std::string name = alg == JWT_ALG_ES256 ? "ES256" : "RS256";
  return sign_with_header(
      alg, private_pem,
      R"({"alg":")" + name + R"(","typ":"JWT","kid":")" + std::string(kid) + R"("})", claims);
}

}  // namespace levain::auth::testing
