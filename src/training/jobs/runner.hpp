#pragma once
/// Runs training jobs: at most `max_concurrent_jobs` at once (the rest wait, FIFO), each one a
/// data-analysis step and then one fit per product on the training thread pool, which is
/// separate from the I/O threads. Cancel stops between products. Thread-safe.

#include <boost/asio/thread_pool.hpp>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "bus/event_bus.hpp"
#include "common/metrics.hpp"
#include "training/jobs/job.hpp"
#include "training/store/store.hpp"

namespace levain::training {

struct RunnerConfig {
  unsigned train_threads = 2;
  unsigned max_concurrent_jobs = 2;
  int holdout_days = 28;
};

enum class CancelOutcome { accepted, not_found, already_finished };

class JobRunner {
 public:
  JobRunner(Store& store, bus::EventBus& bus, common::MetricsRegistry& metrics,
            RunnerConfig config);
  ~JobRunner();
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  /// At start-up: a job that was running when the process died ends `failed` ("interrupted by
  /// restart"); a job that was still waiting is queued again.
  void recover();

  /// Creates the job (pending) and queues it. `products` empty = all the tenant's products.
  JobRecord submit(const std::string& tenant, std::vector<std::string> products, int horizon_days);

  /// A pending job ends at once; a running one after the fits already under way.
  CancelOutcome cancel(const std::string& tenant, const std::string& job_id);

  /// Stops starting jobs, ends running ones as failed with `reason`, waits for in-flight fits.
  /// Pending jobs stay pending in the store and run after the next start.
  void shutdown(const std::string& reason);

  struct Job;  // one queued or running job

 private:
  void start_queued_locked();
  void run(const std::shared_ptr<Job>& job);
  void fit_product(const std::shared_ptr<Job>& job, std::size_t index);
  void finish(const std::shared_ptr<Job>& job);
  std::shared_ptr<Job> make_job(JobRecord record);

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
};

}  // namespace levain::training
