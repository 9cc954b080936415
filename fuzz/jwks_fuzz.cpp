// libFuzzer target for the key sets an identity provider publishes (auth::parse_jwks): the
// input is the document. Oracles: nothing crashes and nothing but std::invalid_argument is
// thrown; an accepted set has 1..100 keys, each with a kid of at most 256 bytes, a check, and
// an algorithm that fits its key; a refusal says why in a bounded message.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

#include "auth/jwks.hpp"

namespace {

void require(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "jwks_fuzz invariant violated: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto set = levain::auth::parse_jwks(text);
    require(!set.keys.empty() && set.keys.size() <= levain::auth::kMaxJwksKeys, "key count");
    for (const auto& key : set.keys) {
      require(key.kid.size() <= 256, "kid length");
      require(key.check != nullptr, "a key without a check");
      require(key.algorithm != levain::auth::Algorithm::HS256, "a symmetric key was taken");
    }
  } catch (const std::invalid_argument& e) {
    // Skipped keys' reasons are listed, each bounded; the document itself is at most 256 KiB.
    require(std::string_view(e.what()).size() < 64 * 1024, "refusal message size");
  }
  return 0;
}
