#include "test_tokens.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
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

}  // namespace

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
