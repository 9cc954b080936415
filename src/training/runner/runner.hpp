#pragma once
/// Runs training jobs: at most `max_concurrent_jobs` at once (the rest wait, FIFO), each one a
/// data-analysis step and then one fit per product on the training thread pool, which is
/// separate from the I/O threads. Cancel stops between products. Thread-safe.
///
/// Several replicas share one store: each runner holds a lease on the jobs it runs and renews it
/// from a heartbeat, which also brings cancel requests made on other replicas and ends the jobs
/// of replicas that died (their leases ran out) as failed, through the normal event path.

#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "bus/event_bus.hpp"
#include "common/metrics.hpp"
#include "training/jobs/job.hpp"
#include "training/store/store.hpp"

namespace levain::training {

struct RunnerConfig {
  unsigned train_threads = 2;
  /// 0: a fan-out replica. It stores the jobs it is asked for and never claims one, so the
  /// replicas that train (sharing its store) take them on their next sweep; watchers scale
  /// separately from training.
  unsigned max_concurrent_jobs = 2;
  int holdout_days = 28;
  /// Owner of this runner's job leases; empty: a fresh UUID per process. The embedded (SQLite)
  /// service passes a fixed id, so after a restart it knows the jobs it was running are its own.
  std::string replica_id;
  /// How long a job stays this replica's without a renewal; renewed every lease/3. A replica
  /// that dies loses its jobs to the others after at most this long (plus one heartbeat).
  std::chrono::milliseconds lease{15'000};
};

enum class CancelOutcome { accepted, not_found, already_finished };

class JobRunner {
 public:
  JobRunner(Store& store, bus::EventBus& bus, common::MetricsRegistry& metrics,
            RunnerConfig config);
  ~JobRunner();
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  /// At start-up, for every unfinished job this replica may take (its lease expired, or it was
  /// this replica's before a restart): a running one ends `failed` ("interrupted: replica lost",
  /// or "interrupted by restart" for its own), a waiting one is queued here. Jobs that a live
  /// replica holds are left alone. Then the heartbeat starts sweeping.
  void recover();

  /// Creates the job (pending) and queues it. `products` empty = all the tenant's products.
  JobRecord submit(const std::string& tenant, std::vector<std::string> products, int horizon_days);

  /// A pending job ends at once; a running one after the fits already under way. A job this
  /// replica does not hold gets the store's cancel flag, which its owner's heartbeat picks up.
  CancelOutcome cancel(const std::string& tenant, const std::string& job_id);

  /// Stops starting jobs, ends running ones as failed with `reason`, waits for in-flight fits.
  /// Pending jobs stay pending in the store with their leases released, so another replica (or
  /// this one after its next start) runs them.
  void shutdown(const std::string& reason);

  const std::string& replica_id() const { return replica_id_; }
  /// One heartbeat now (renew, poll cancels, sweep expired leases); the thread does this every
  /// lease/3. Public for tests and diagnostics.
  void heartbeat();

  struct Job;  // one queued or running job

 private:
  void start_queued_locked();
  void run(const std::shared_ptr<Job>& job);
  void fit_product(const std::shared_ptr<Job>& job, std::size_t index);
  void finish(const std::shared_ptr<Job>& job);
  std::shared_ptr<Job> make_job(JobRecord record);
  std::int64_t lease_until() const;
  /// Claims a job found in the store and ends it (running) or queues it (pending).
  void take_over(const JobRecord& record, const std::string& reason_if_running);
  /// Ends a pending job of this replica at once, or tells a running one to stop.
  void cancel_local(const std::shared_ptr<Job>& job);
  void queue_locked(const std::shared_ptr<Job>& job);
  void heartbeat_loop();
  void stop_heartbeat();

  Store& store_;
  bus::EventBus& bus_;
  RunnerConfig config_;
  common::Counter& events_published_;
  common::Gauge& pending_gauge_;
  common::Gauge& running_gauge_;
  common::Counter& completed_total_;
  common::Counter& failed_total_;
  common::Counter& cancelled_total_;
  common::Histogram& fit_seconds_;

  std::mutex mutex_;
  std::condition_variable idle_;
  std::deque<std::shared_ptr<Job>> pending_;
  std::unordered_map<std::string, std::shared_ptr<Job>> active_;  // pending or running, by id
  unsigned running_ = 0;
  bool stopping_ = false;
  std::optional<std::string> stop_reason_;
  boost::asio::thread_pool pool_;

  const std::string replica_id_;
  std::atomic<bool> recovered_{false};   // the heartbeat sweeps only after recover()
  std::atomic<bool> store_down_{false};  // to log a heartbeat failure once, not every beat
  std::atomic<std::int64_t> last_renewal_us_{0};
  std::mutex heartbeat_mu_;
  std::condition_variable heartbeat_cv_;
  bool heartbeat_stop_ = false;
  std::thread heartbeat_thread_;  // last: started once everything above exists
};

}  // namespace levain::training
