#pragma once
/// Where the service and the gateway read the identity provider's key set from: a JWKS file
/// (read again on the schedule, so replacing the file rotates the keys) or a JWKS URL over
/// http(s) (docs/security.md, "Keys from a JWKS").

#include <memory>
#include <string>

#include "auth/key_ring.hpp"

namespace levain::cli {

struct KeySourceFlags {
  std::string jwks_file;
  std::string jwks_url;
  std::string jwks_ca_file;
  int refresh_s = 300;
  int min_interval_s = 30;
};

/// The started key ring, or null when neither a file nor a URL is given. Throws
/// CLI::ValidationError for bad flags and std::runtime_error when the first read fails.
std::shared_ptr<auth::KeyRing> start_key_ring(const KeySourceFlags& flags);

}  // namespace levain::cli
