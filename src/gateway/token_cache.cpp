#include "gateway/token_cache.hpp"

#include <openssl/sha.h>

namespace levain::gateway {

std::string token_digest(std::string_view token) {
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(),
         reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

CachingVerifier::CachingVerifier(auth::VerifierConfig config, std::size_t max_entries,
                                 common::MetricsRegistry& metrics)
    : verifier_(std::move(config)),
      max_entries_(max_entries),
      hits_(metrics.counter("levain_gateway_token_cache_hits_total",
                            "Token verifications answered from the cache")),
      misses_(metrics.counter("levain_gateway_token_cache_misses_total",
                              "Token verifications done in full")) {}

auth::VerifyResult CachingVerifier::verify(std::string_view token,
                                           std::chrono::system_clock::time_point now) {
  // Oversized input never reaches the hash: the verifier refuses it cheaply.
  if (max_entries_ == 0 || token.size() > verifier_.config().max_token_bytes) {
    return verifier_.verify(token, now);
  }
  const std::int64_t now_s =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const std::string key = token_digest(token);
  const std::uint64_t generation = verifier_.key_generation();
  {
    std::lock_guard lock(mutex_);
    if (auto it = index_.find(key); it != index_.end()) {
      if (now_s < it->second->claims.expires_at && it->second->key_generation == generation) {
        lru_.splice(lru_.begin(), lru_, it->second);
        hits_.inc();
        return auth::VerifyResult{it->second->claims, auth::Failure::missing, {}};
      }
      // Past exp, or the keys changed: forget it and let the full check decide (and say why).
      lru_.erase(it->second);
      index_.erase(it);
    }
  }
  misses_.inc();
  auto result = verifier_.verify(token, now);
  // Only tokens whose exp is still ahead are cached, so a leeway-accepted token is re-checked.
  if (result && now_s < result.claims->expires_at) {
    std::lock_guard lock(mutex_);
    if (index_.find(key) == index_.end()) {
      lru_.push_front(Entry{key, *result.claims, generation});
      index_.emplace(key, lru_.begin());
      if (lru_.size() > max_entries_) {
        index_.erase(lru_.back().key);
        lru_.pop_back();
      }
    }
  }
  return result;
}

std::size_t CachingVerifier::size() const {
  std::lock_guard lock(mutex_);
  return lru_.size();
}

}  // namespace levain::gateway
