#pragma once
/// Who watches which job, and the last events of each job for watchers that resume. The fan-out
/// calls broadcast() once per event; the manager keeps it in the job's ring and copies the job's
/// sinks under its lock and calls them after unlocking, so no session work ever runs under the
/// lock and one slow session cannot hold up the others (DESIGN.md §3).

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "training/live/outbound_event.hpp"
#include "training/live/presence.hpp"
#include "training/live/resume_ring.hpp"

namespace levain::training {

/// What the manager knows of a session. deliver() and shutdown() must be thread-safe and
/// non-blocking (a WebSocket session posts to its strand).
class LiveSink {
 public:
  virtual ~LiveSink() = default;
  virtual void deliver(std::shared_ptr<const OutboundEvent> event) = 0;
  virtual void shutdown(std::uint16_t close_code, const std::string& reason) = 0;
  /// The bus may have lost events for a while: re-read the job's snapshot, send it as a new
  /// `connected`, then go on from its seq. Thread-safe and non-blocking like deliver().
  virtual void resnapshot() {}
  /// The job's watchers on every replica changed to `watchers` (a `watchers` message).
  /// Thread-safe and non-blocking like deliver().
  virtual void watchers_changed(std::size_t /*watchers*/) {}
};

class ConnectionManager {
 public:
  explicit ConnectionManager(ResumeLimits resume = {},
                             std::chrono::seconds presence_ttl = std::chrono::seconds{15})
      : rings_(resume), presence_(presence_ttl) {}

  /// False once shutdown_all() has run: the caller closes the new session itself.
  bool join(const std::string& job_id, const std::shared_ptr<LiveSink>& sink);
  /// Like join(), for a watcher that has folded up to `since`: `replay` gets what the job's ring
  /// holds after it (nullopt when it cannot serve it), taken under the same lock as the
  /// registration, so the next deliver() follows it with no gap.
  bool join(const std::string& job_id, const std::shared_ptr<LiveSink>& sink, std::uint64_t since,
            std::optional<std::vector<EventPtr>>& replay);
  void leave(const std::string& job_id, const LiveSink* sink);
  void broadcast(const std::string& job_id, const std::shared_ptr<const OutboundEvent>& event);
  /// Asks every session to resnapshot() (after the bus reconnected). Returns how many were asked.
  std::size_t resnapshot_all();
  /// Refuses further joins and asks every session to close with `close_code`.
  void shutdown_all(std::uint16_t close_code, const std::string& reason);

  // --- who is watching (presence.hpp) ---
  /// The job's watchers: here and on the other replicas as they last said.
  std::size_t watchers(const std::string& job_id) const;
  /// This replica's watchers per job, for the others.
  WatcherCounts local_watchers() const;
  /// What another replica said it has; also forgets replicas silent for the TTL.
  void presence(const std::string& replica, WatcherCounts counts);
  /// Tells the watchers of each job whose number changed since it was last told (once a
  /// second, from the presence timer); forgets silent replicas first.
  void announce_watchers();

  std::size_t session_count() const;
  std::size_t job_count() const;

 private:
  // Keyed by the sink's address: a leave is O(1), not a scan of the job's watchers (with 10k
  // watchers closing at a job's end, scans made the closes quadratic, under the lock).
  using Sinks = std::unordered_map<const LiveSink*, std::weak_ptr<LiveSink>>;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Sinks> jobs_;
  ResumeRings rings_;
  PresenceTable presence_;
  std::unordered_map<std::string, std::size_t> announced_;  // job → watchers last told
  std::size_t sessions_ = 0;
  bool shut_down_ = false;
};

}  // namespace levain::training
