#pragma once
/// Who watches which job, and the last events of each job for watchers that resume. The fan-out
/// calls broadcast() once per event; the manager keeps it in the job's ring, copies the job's
/// sinks under its lock, grouped by I/O thread, and hands the groups to its Dispatch after
/// unlocking, so no session work ever runs under the lock and one slow session cannot hold up
/// the others (DESIGN.md §3).

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
#include "training/live/quiet_jobs.hpp"
#include "training/live/resume_ring.hpp"

namespace levain::training {

/// What the manager knows of a session. Events reach it through the manager's Dispatch, on the
/// sink's own I/O thread (its shard): deliver() for each event of a batch, then flush() once.
/// shutdown(), resnapshot() and watchers_changed() may be called from any thread and must not
/// block (a session posts to its thread).
class LiveSink {
 public:
  virtual ~LiveSink() = default;
  /// The I/O thread the sink lives on (common::IoPool's index), < Dispatch::shards().
  virtual std::size_t shard() const { return 0; }
  virtual void deliver(const EventPtr& event) = 0;
  /// After a batch of deliver()s: hands what they queued to the kernel.
  virtual void flush() {}
  virtual void shutdown(std::uint16_t close_code, const std::string& reason) = 0;
  /// The bus may have lost events for a while: re-read the job's snapshot, send it as a new
  /// `connected`, then go on from its seq.
  virtual void resnapshot() {}
  /// The store holds the job at `seq` and the bus never brought it (quiet_jobs.hpp): a sink
  /// behind it resnapshots.
  virtual void store_ahead(std::uint64_t /*seq*/) {}
  /// The job's watchers on every replica changed to `watchers` (a `watchers` message).
  virtual void watchers_changed(std::size_t /*watchers*/) {}

  /// The dispatcher's slot for this sink in the batch being drained, on the sink's thread only
  /// (kNoSlot outside a drain): how a batch of k events gathers each sink's events to deliver
  /// them together and flush it once.
  static constexpr std::uint32_t kNoSlot = ~std::uint32_t{0};
  std::uint32_t batch_slot = kNoSlot;
};

using SinkList = std::vector<std::shared_ptr<LiveSink>>;

/// Watchers a join may bring a job or a tenant to (tenant quotas; 0: no limit), counted here
/// and on the other replicas as their presence last said.
struct WatcherCaps {
  std::size_t per_job = 0;
  std::size_t per_tenant = 0;
};

enum class JoinOutcome { joined, shut_down, job_full, tenant_full };

struct JoinResult {
  JoinOutcome outcome = JoinOutcome::joined;
  std::size_t used = 0;  // for job_full/tenant_full: the watchers counted against the cap
};

/// A watcher slot frees when someone leaves, which no one can predict: the client is told to
/// try again after this.
inline constexpr std::int64_t kWatcherRetryS = 10;

/// The close reason of a refused join (close code 4029): compact JSON that fits the 123 bytes
/// of a WebSocket close reason at any quota up to 1,000,000, e.g. {"limit":"watchers_per_job",
/// "value":2,"retry_after_s":10,"message":"at most 2 watchers per job"}.
std::string watcher_quota_reason(const JoinResult& refused, const WatcherCaps& caps);

class ConnectionManager {
 public:
  /// How one event reaches the sinks: grouped by shard, each group delivered on its own thread.
  class Dispatch {
   public:
    virtual ~Dispatch() = default;
    virtual std::size_t shards() const = 0;
    /// `by_shard[i]` are the event's sinks on shard i (size() == shards(); some empty).
    virtual void deliver(const EventPtr& event, std::vector<SinkList>&& by_shard) = 0;
  };

  explicit ConnectionManager(ResumeLimits resume = {},
                             std::chrono::seconds presence_ttl = std::chrono::seconds{15},
                             std::chrono::milliseconds quiet_check = std::chrono::seconds{10})
      : rings_(resume),
        presence_(presence_ttl),
        tenant_presence_(presence_ttl),
        quiet_(quiet_check) {}

  /// Without one (unit tests) broadcast() delivers and flushes inline, on the caller's thread.
  /// Set before the first broadcast; `dispatch` outlives every broadcast.
  void set_dispatch(Dispatch* dispatch) { dispatch_ = dispatch; }

  /// False once shutdown_all() has run: the caller closes the new session itself.
  bool join(const std::string& job_id, const std::shared_ptr<LiveSink>& sink);
  /// Like join(), for a watcher that has folded up to `since`: `replay` gets what the job's ring
  /// holds after it (nullopt when it cannot serve it), taken under the same lock as the
  /// registration, so the next deliver() follows it with no gap.
  bool join(const std::string& job_id, const std::shared_ptr<LiveSink>& sink, std::uint64_t since,
            std::optional<std::vector<EventPtr>>& replay);
  /// The same for a watcher of `tenant`, refused (and not joined) when it would take the job or
  /// the tenant past `caps`: the check and the registration are one step under the lock, so two
  /// watchers racing for the last place cannot both get it.
  JoinResult join(const std::string& job_id, const std::string& tenant,
                  const std::shared_ptr<LiveSink>& sink, std::uint64_t since,
                  std::optional<std::vector<EventPtr>>& replay, const WatcherCaps& caps);
  void leave(const std::string& job_id, const LiveSink* sink);
  void broadcast(const std::string& job_id, const std::shared_ptr<const OutboundEvent>& event);
  /// Asks every session to resnapshot() (after the bus reconnected). Returns how many were asked.
  std::size_t resnapshot_all();
  /// A quiet job to read from the store (quiet_jobs.hpp), with the tenant its watchers named.
  struct QuietJob {
    std::string job_id;
    std::string tenant;
  };
  /// A watcher of `job_id` read its snapshot at `seq`: what the store said then is not news.
  void snapshot_read(const std::string& job_id, std::uint64_t seq);
  /// Up to `max` watched jobs that heard nothing for the quiet interval.
  std::vector<QuietJob> quiet_jobs(QuietJobs::Clock::time_point now, std::size_t max);
  /// The store holds `job_id` at `seq`: when the bus never brought it, every sink of the job is
  /// told (store_ahead), and true is returned.
  bool store_at(const std::string& job_id, std::uint64_t seq);
  /// Refuses further joins and asks every session to close with `close_code`.
  void shutdown_all(std::uint16_t close_code, const std::string& reason);

  // --- who is watching (presence.hpp) ---
  /// The job's watchers: here and on the other replicas as they last said.
  std::size_t watchers(const std::string& job_id) const;
  /// This replica's watchers per job, for the others.
  WatcherCounts local_watchers() const;
  /// This replica's watchers per tenant (of joins that named one), for the others.
  WatcherCounts local_tenant_watchers() const;
  /// The tenant's watchers: here and on the other replicas.
  std::size_t tenant_watchers(const std::string& tenant) const;
  /// What another replica said it has; also forgets replicas silent for the TTL.
  void presence(const std::string& replica, WatcherCounts counts, WatcherCounts tenants = {});
  /// Tells the watchers of each job whose number changed since it was last told (once a
  /// second, from the presence timer); forgets silent replicas first.
  void announce_watchers();

  std::size_t session_count() const;
  std::size_t job_count() const;

 private:
  // Keyed by the sink's address: a leave is O(1), not a scan of the job's watchers (with 10k
  // watchers closing at a job's end, scans made the closes quadratic, under the lock).
  using Sinks = std::unordered_map<const LiveSink*, std::weak_ptr<LiveSink>>;
  /// The sinks still alive, of one job or (null) of every job; the caller holds mutex_.
  SinkList alive_locked(const std::string* job_id) const;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Sinks> jobs_;
  ResumeRings rings_;
  PresenceTable presence_;
  PresenceTable tenant_presence_;                              // the same, per tenant
  std::unordered_map<std::string, std::string> job_tenant_;    // job → the tenant its joins named
  std::unordered_map<std::string, std::size_t> tenant_local_;  // tenant → watchers here
  std::unordered_map<std::string, std::size_t> announced_;     // job → watchers last told
  QuietJobs quiet_;
  std::size_t sessions_ = 0;
  bool shut_down_ = false;
  Dispatch* dispatch_ = nullptr;
};

}  // namespace levain::training
