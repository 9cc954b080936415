#include "auth/jwks.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <stdexcept>

#include "auth/base64url.hpp"
#include "auth/key_material.hpp"
#include "auth/openssl_ptr.hpp"
#include "auth/signature.hpp"

namespace levain::auth {
namespace {

using detail::BnPtr;
using detail::ParamBldPtr;
using detail::ParamPtr;
using detail::PkeyCtxPtr;

/// What is wrong with one key: it is skipped with this reason.
struct Skip {
  std::string why;
};

constexpr std::size_t kP256Coordinate = 32;
constexpr std::size_t kMaxKidBytes = 256;
// Private parameters (RFC 7518 §6.2.2, §6.3.2): a published set must never carry them.
constexpr std::string_view kPrivateMembers[] = {"d", "p", "q", "dp", "dq", "qi", "oth"};

std::string member(const boost::json::object& key, std::string_view name) {
  const auto* v = key.if_contains(name);
  if (v == nullptr) return {};
  if (!v->is_string()) throw Skip{"'" + std::string(name) + "' is not a string"};
  return std::string(v->get_string());
}

std::string decoded(const boost::json::object& key, std::string_view name) {
  const std::string text = member(key, name);
  if (text.empty()) throw Skip{"it has no '" + std::string(name) + "'"};
  auto bytes = base64url_decode(text);
  if (!bytes || bytes->empty()) throw Skip{"'" + std::string(name) + "' is not base64url"};
  return *bytes;
}

BIGNUM* to_bn(const std::string& bytes) {
  return BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                   static_cast<int>(bytes.size()), nullptr);
}

std::shared_ptr<EVP_PKEY> from_params(const char* type, OSSL_PARAM_BLD* bld) {
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    ERR_clear_error();
    throw Skip{"its parameters do not make a public key"};
  }
  std::shared_ptr<EVP_PKEY> key(raw, detail::PkeyFree{});
  // The import does not prove an EC point lies on the curve in every OpenSSL build: ask.
  PkeyCtxPtr check(EVP_PKEY_CTX_new(key.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) {
    ERR_clear_error();
    throw Skip{"its public key does not pass OpenSSL's check"};
  }
  return key;
}

std::shared_ptr<EVP_PKEY> rsa_key(const boost::json::object& key) {
  const BnPtr n(to_bn(decoded(key, "n")));
  const BnPtr e(to_bn(decoded(key, "e")));
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!n || !e || !bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
    throw Skip{"out of memory reading it"};
  }
  return from_params("RSA", bld.get());
}

std::shared_ptr<EVP_PKEY> ec_key(const boost::json::object& key) {
  if (member(key, "crv") != "P-256") throw Skip{"it is not on curve P-256"};
  const std::string x = decoded(key, "x");
  const std::string y = decoded(key, "y");
  if (x.size() != kP256Coordinate || y.size() != kP256Coordinate) {
    throw Skip{"'x' and 'y' must be 32 bytes each for P-256"};
  }
  const std::string point = '\x04' + x + y;  // SEC 1 uncompressed form
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) !=
          1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    throw Skip{"out of memory reading it"};
  }
  return from_params("EC", bld.get());
}

Jwk read_key(const boost::json::object& key) {
  for (const auto name : kPrivateMembers) {
    if (key.contains(name)) throw Skip{"it holds private key material; publish public keys only"};
  }
  const std::string use = member(key, "use");
  if (!use.empty() && use != "sig") throw Skip{"it is not a signing key (use " + use + ")"};
  const std::string kty = member(key, "kty");
  const std::string alg = member(key, "alg");
  Jwk jwk;
  jwk.kid = member(key, "kid");
  if (jwk.kid.size() > kMaxKidBytes) throw Skip{"its kid is longer than 256 bytes"};
  std::shared_ptr<EVP_PKEY> pkey;
  if (kty == "RSA") {
    if (!alg.empty() && alg != "RS256") throw Skip{"RSA keys are taken for RS256 only"};
    jwk.algorithm = Algorithm::RS256;
    pkey = rsa_key(key);
  } else if (kty == "EC") {
    if (!alg.empty() && alg != "ES256") throw Skip{"EC keys are taken for ES256 only"};
    jwk.algorithm = Algorithm::ES256;
    pkey = ec_key(key);
  } else {
    throw Skip{kty.empty() ? std::string("it has no kty")
                           : "key type " + kty + " is not taken (RSA and EC only)"};
  }
  try {
    detail::check_public_key(jwk.algorithm, pkey.get());
  } catch (const std::invalid_argument& e) {
    throw Skip{e.what()};
  }
  jwk.check = std::make_shared<const detail::SignatureCheck>(jwk.algorithm, std::move(pkey));
  return jwk;
}

std::string describe(std::size_t index, const boost::json::object& key) {
  std::string where = "key " + std::to_string(index + 1);
  const auto* kid = key.if_contains("kid");
  if (kid && kid->is_string() && kid->get_string().size() <= kMaxKidBytes) {
    where += " (kid '" + std::string(kid->get_string()) + "')";
  }
  return where;
}

}  // namespace

const Jwk* KeySet::find(std::string_view kid) const {
  for (const auto& key : keys) {
    if (key.kid == kid) return &key;
  }
  return nullptr;
}

KeySet parse_jwks(std::string_view json) {
  if (json.size() > kMaxJwksBytes) {
    throw std::invalid_argument("the key set is larger than 256 KiB");
  }
  boost::system::error_code ec;
  const boost::json::value doc = boost::json::parse(json, ec);
  const auto* object = ec ? nullptr : doc.if_object();
  const auto* keys = object ? object->if_contains("keys") : nullptr;
  if (keys == nullptr || !keys->is_array()) {
    throw std::invalid_argument("not a JWKS: expected a JSON object with a 'keys' array");
  }
  if (keys->get_array().size() > kMaxJwksKeys) {
    throw std::invalid_argument("the key set has more than 100 keys");
  }
  KeySet set;
  std::size_t index = 0;
  for (const auto& entry : keys->get_array()) {
    const auto* key = entry.if_object();
    try {
      if (key == nullptr) throw Skip{"it is not a JSON object"};
      Jwk jwk = read_key(*key);
      if (set.find(jwk.kid) != nullptr) throw Skip{"its kid repeats an earlier key's"};
      set.keys.push_back(std::move(jwk));
    } catch (const Skip& skip) {
      set.skipped.push_back((key ? describe(index, *key) : "key " + std::to_string(index + 1)) +
                            ": " + skip.why);
    }
    ++index;
  }
  if (set.keys.empty()) {
    std::string message = "the key set has no RS256 or ES256 signing key";
    for (const auto& why : set.skipped) message += "; " + why;
    throw std::invalid_argument(message);
  }
  return set;
}

}  // namespace levain::auth
