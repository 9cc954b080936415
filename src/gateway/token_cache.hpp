#pragma once
/// Verifies tokens once and remembers the result: a dashboard reconnecting or polling REST
/// presents the same token again and again, and RS256/ES256 verification is the gateway's most
/// expensive step. Bounded (least recently used goes first), keyed by SHA-256 of the token so no
/// token text is kept, and an entry never outlives the token's `exp` or the key set it was
/// verified under (a rotated-out key must stop working at once). Failures are not cached.

#include <chrono>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/token.hpp"
#include "common/metrics.hpp"

namespace levain::gateway {

class CachingVerifier {
 public:
  CachingVerifier(auth::VerifierConfig config, std::size_t max_entries,
                  common::MetricsRegistry& metrics);

  auth::VerifyResult verify(std::string_view token, std::chrono::system_clock::time_point now);
  std::size_t size() const;

 private:
  struct Entry {
    std::string key;
    auth::Claims claims;
    std::uint64_t key_generation = 0;
  };
  using Lru = std::list<Entry>;

  auth::TokenVerifier verifier_;
  std::size_t max_entries_;
  common::Counter& hits_;
  common::Counter& misses_;
  mutable std::mutex mutex_;
  Lru lru_;  // front = most recently used
  std::unordered_map<std::string, Lru::iterator> index_;
};

/// SHA-256 of `token` as 32 raw bytes (the cache key).
std::string token_digest(std::string_view token);

}  // namespace levain::gateway
