#pragma once
/// Owning wrappers for libjwt's C objects, so every path (including exceptions) frees them.
/// Internal to levain_auth.

#include <jwt.h>

#include <cstdlib>
#include <memory>

namespace levain::auth::detail {

struct JwtDeleter {
  void operator()(jwt_t* jwt) const noexcept { jwt_free(jwt); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtDeleter>;

/// libjwt 1.10 hands out malloc'd strings (jwt_encode_str, jwt_get_grants_json).
struct MallocDeleter {
  void operator()(char* text) const noexcept { std::free(text); }
};
using MallocString = std::unique_ptr<char, MallocDeleter>;

}  // namespace levain::auth::detail
