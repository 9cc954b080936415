#pragma once
/// Pacing of reconnects: delays exponential from `initial` up to `max`, each drawn at random from
/// the upper half of its step ("equal jitter"), so replicas that lost the same broker at the same
/// moment do not all knock on it again in the same millisecond; and a log that does not flood.

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>

namespace levain::bus {

class Backoff {
 public:
  Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max, std::uint64_t seed);

  /// The delay before the next attempt; grows with each call until reset().
  std::chrono::milliseconds next();
  /// After a success: the next failure starts from `initial` again.
  void reset() { attempt_ = 0; }

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds max_;
  unsigned attempt_ = 0;
  std::mt19937_64 random_;
};

/// Logs a connection's failures: a warning for the first of an outage and then once a minute
/// (a broker away for an hour must not write a line per attempt), the rest at debug level.
class OutageLog {
 public:
  explicit OutageLog(std::string connection) : connection_(std::move(connection)) {}
  void failed(const std::string& why);
  void reset() { last_warning_.reset(); }

 private:
  std::string connection_;
  std::optional<std::chrono::steady_clock::time_point> last_warning_;
};

}  // namespace levain::bus
