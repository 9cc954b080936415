#include "auth/key_material.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <stdexcept>

#include "auth/openssl_ptr.hpp"

namespace levain::auth {
namespace detail {
namespace {

constexpr int kMinRsaBits = 2048;

[[noreturn]] void refuse(Algorithm algorithm, const std::string& why) {
  ERR_clear_error();  // leave this thread's OpenSSL error queue as we found it
  throw std::invalid_argument("unusable " + std::string(to_string(algorithm)) + " key: " + why);
}

PkeyPtr parse_public_key(Algorithm algorithm, const std::string& pem) {
  if (pem.find("PRIVATE KEY") != std::string::npos) {
    refuse(algorithm, "it is a private key; configure the issuer's PEM public key instead");
  }
  if (pem.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    refuse(algorithm, "the key text is too large");
  }
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) refuse(algorithm, "out of memory reading the key");
  PkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!key) {
    refuse(algorithm,
           "not a PEM public key (expected a '-----BEGIN PUBLIC KEY-----' block, "
           "SubjectPublicKeyInfo)");
  }
  return key;
}

}  // namespace

void check_public_key(Algorithm algorithm, EVP_PKEY* key) {
  const int type = EVP_PKEY_get_base_id(key);
  if (algorithm == Algorithm::RS256) {
    if (type != EVP_PKEY_RSA) refuse(algorithm, "the public key is not an RSA key");
    if (EVP_PKEY_get_bits(key) < kMinRsaBits) {
      refuse(algorithm, "the RSA key has fewer than 2048 bits");
    }
    return;
  }
  if (type != EVP_PKEY_EC) refuse(algorithm, "the public key is not an EC key");
  std::array<char, 64> group{};
  std::size_t group_length = 0;
  if (EVP_PKEY_get_group_name(key, group.data(), group.size(), &group_length) != 1 ||
      std::strcmp(group.data(), "prime256v1") != 0) {
    refuse(algorithm, "the EC key is not on curve P-256");
  }
}

std::shared_ptr<EVP_PKEY> load_public_key(Algorithm algorithm, const std::string& pem) {
  if (algorithm == Algorithm::HS256) throw std::invalid_argument("HS256 takes a secret, not a key");
  if (pem.empty()) refuse(algorithm, "no public key given");
  PkeyPtr parsed = parse_public_key(algorithm, pem);
  check_public_key(algorithm, parsed.get());
  return std::shared_ptr<EVP_PKEY>(parsed.release(), PkeyFree{});
}

}  // namespace detail

std::string read_key_file(const std::string& path, std::size_t max_bytes) {
  const auto kMaxKeyFileBytes = static_cast<std::streamsize>(max_bytes);
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw std::runtime_error("cannot read key file '" + path + "': it is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error("cannot read key file '" + path + "': " + std::strerror(errno));
  }
  std::string text(static_cast<std::size_t>(kMaxKeyFileBytes) + 1, '\0');
  in.read(text.data(), kMaxKeyFileBytes + 1);
  if (in.bad()) throw std::runtime_error("cannot read key file '" + path + "': read error");
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > static_cast<std::size_t>(kMaxKeyFileBytes)) {
    throw std::runtime_error("key file '" + path + "' is larger than " +
                             std::to_string(max_bytes / 1024) + " KiB; not a public key");
  }
  if (text.empty()) throw std::runtime_error("key file '" + path + "' is empty");
  return text;
}

}  // namespace levain::auth
