#pragma once
/// The identity provider's keys as they are now (docs/security.md, "Keys from a JWKS"): a key
/// set read at start and read again on a schedule and when a token names a key the set does not
/// have, so keys rotate without a restart. The early reads are rate-limited, so forged `kid`s
/// cannot make Levain hammer the provider, and a read that fails keeps the last good set.
/// RefreshPlan is the timing, pure; KeyRing is the thread and the set around it.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "auth/jwks.hpp"

namespace levain::auth {

/// When the next read is due. Every read (good or failed) restarts the clock; after a good read
/// the next is `refresh` later, after a failed one `min_interval` later, and an unknown kid
/// brings it forward to no sooner than `min_interval` after the last read.
class RefreshPlan {
 public:
  using Clock = std::chrono::steady_clock;
  RefreshPlan(std::chrono::seconds refresh, std::chrono::seconds min_interval)
      : refresh_(refresh), min_interval_(min_interval) {}

  void read(Clock::time_point now, bool ok) {
    last_ = now;
    ok_ = ok;
    wanted_ = false;
  }
  /// A token named a key the set lacks. Returns whether this moved the next read forward.
  bool unknown_kid();
  Clock::time_point due() const;

 private:
  std::chrono::seconds refresh_;
  std::chrono::seconds min_interval_;
  Clock::time_point last_{};
  bool ok_ = true;
  bool wanted_ = false;
};

struct KeyRingOptions {
  std::chrono::seconds refresh{300};      // --jwt-jwks-refresh
  std::chrono::seconds min_interval{30};  // --jwt-jwks-min-interval
};

class KeyRing {
 public:
  /// Returns the JWKS document's text; throws std::exception with a message on failure.
  using Fetch = std::function<std::string()>;

  /// `source` names where the keys come from in messages ("--jwt-jwks-url https://…").
  KeyRing(std::string source, Fetch fetch, KeyRingOptions options);
  ~KeyRing();
  KeyRing(const KeyRing&) = delete;
  KeyRing& operator=(const KeyRing&) = delete;

  /// Reads the set once, now, and starts the refresh thread. Throws std::runtime_error naming
  /// the source when the first read fails or holds no usable key.
  void start();
  void stop();

  /// The key `kid` selects, or null; a miss asks for an early read (rate-limited).
  std::shared_ptr<const Jwk> find(std::string_view kid);
  /// Bumped whenever a read brings a set that differs from the last: cached verdicts made
  /// under an older set must be checked again. Lock-free: the gateway asks on every request.
  std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  /// Reads that failed (the source away, or not a usable set) since start.
  std::uint64_t failed_reads() const { return failed_reads_.load(std::memory_order_relaxed); }

 private:
  void loop();
  /// Fetches and parses; "" or why the read failed (the set is then left as it was).
  std::string read();

  std::string source_;
  Fetch fetch_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  RefreshPlan plan_;
  std::shared_ptr<const KeySet> set_;
  std::string text_;  // the document `set_` came from: a read of the same text changes nothing
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<std::uint64_t> failed_reads_{0};
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace levain::auth
