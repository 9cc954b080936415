#pragma once
/// Who is watching, across replicas (docs/live-protocol.md, "Who is watching"). Each replica
/// publishes its watchers per job on the bus (`presence.watchers`) when they change and every
/// few seconds regardless; every replica keeps what the others last said, and forgets a replica
/// that has been silent for a while (it died, or lost the broker), so its watchers expire.
/// PresenceTable is that memory, pure; WatcherPresence is the timer and the bus around it.

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "bus/event_bus.hpp"

namespace levain::training {

class ConnectionManager;

/// Job id → watchers, sorted so that two counts compare and encode the same way.
using WatcherCounts = std::map<std::string, std::size_t>;

inline constexpr std::string_view kPresenceKey = "presence.watchers";
/// A replica says what it has at most this many jobs at a time (the rest are not counted).
inline constexpr std::size_t kPresenceMaxJobs = 10'000;

/// `tenants`: the same watchers per tenant, for the tenant watcher quota (older replicas send
/// none, and then count as zero there).
std::string encode_presence(std::string_view replica, const WatcherCounts& counts,
                            const WatcherCounts& tenants = {});
struct PresenceNews {
  std::string replica;
  WatcherCounts counts;
  WatcherCounts tenants;
};
/// Nullopt for a body that is not a presence message.
std::optional<PresenceNews> parse_presence(std::string_view body);

class PresenceTable {
 public:
  using Clock = std::chrono::steady_clock;
  /// A replica silent for `ttl` is forgotten; at most `max_replicas` are remembered.
  explicit PresenceTable(std::chrono::seconds ttl, std::size_t max_replicas = 1000)
      : ttl_(ttl), max_replicas_(max_replicas) {}

  /// `replica` now has `counts` (replacing what it said before).
  void update(const std::string& replica, WatcherCounts counts, Clock::time_point now);
  void expire(Clock::time_point now);
  /// The job's watchers on every replica remembered.
  std::size_t watchers(const std::string& job_id) const;
  std::size_t replicas() const { return replicas_.size(); }

 private:
  void subtract(const WatcherCounts& counts);

  struct Replica {
    Clock::time_point seen;
    WatcherCounts counts;
  };
  std::chrono::seconds ttl_;
  std::size_t max_replicas_;
  std::unordered_map<std::string, Replica> replicas_;
  std::unordered_map<std::string, std::size_t> totals_;  // job → sum over replicas_
};

/// Publishes this replica's counts and folds the others' into the manager, once a second; the
/// manager then tells each job's watchers when their number changed.
class WatcherPresence {
 public:
  WatcherPresence(bus::EventBus& bus, ConnectionManager& manager, std::string replica_id,
                  boost::asio::any_io_executor executor);
  ~WatcherPresence();
  void start();
  /// Unsubscribes and stops the timer; the replica's watchers expire on the others. The I/O
  /// threads must still run the executor's handlers until this object is gone, or be stopped.
  void stop();

 private:
  void tick();

  bus::EventBus& bus_;
  ConnectionManager& manager_;
  std::string replica_id_;
  boost::asio::steady_timer timer_;
  std::uint64_t subscription_ = 0;
  std::atomic<bool> running_{false};
  WatcherCounts published_;
  WatcherCounts published_tenants_;
  std::chrono::steady_clock::time_point published_at_{};
};

}  // namespace levain::training
