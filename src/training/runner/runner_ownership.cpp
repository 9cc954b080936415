// JobRunner across replicas: start-up recovery, the lease heartbeat, cancel requests from other
// replicas, and taking over the jobs of replicas that died (DESIGN.md §2).
#include <spdlog/spdlog.h>

#include <unordered_set>

#include "common/ids.hpp"
#include "training/runner/runner.hpp"
#include "training/runner/runner_job.hpp"

namespace levain::training {
namespace {

constexpr const char* kReplicaLost = "interrupted: replica lost";

// A lease shorter than this would make the heartbeat spin.
constexpr std::chrono::milliseconds kMinLease{30};

}  // namespace

std::int64_t JobRunner::lease_until() const {
  const auto lease = std::max(config_.lease, kMinLease);
  return common::now_micros() +
         std::chrono::duration_cast<std::chrono::microseconds>(lease).count();
}

void JobRunner::recover() {
  // A fan-out replica takes nothing over, not even to fail it: its sweeps stay off (recovered_
  // stays false) and the training replicas' sweeps do that work.
  if (config_.max_concurrent_jobs == 0) return;
  std::unordered_set<std::string> expired;
  for (const auto& j : store_.expired_jobs(common::now_micros())) expired.insert(j.job_id);
  for (const auto& record : store_.unfinished_jobs()) {
    // Not expired but claimable: this replica id held it before a restart.
    take_over(record, expired.count(record.job_id) ? kReplicaLost : "interrupted by restart");
  }
  recovered_ = true;
  std::lock_guard lock(mutex_);
  start_queued_locked();
}

void JobRunner::take_over(const JobRecord& record, const std::string& reason_if_running) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || active_.count(record.job_id)) return;
  }
  if (!store_.claim_job(record.job_id, replica_id_, lease_until())) return;  // a live owner
  auto job = make_job(record);
  if (record.status == JobStatus::running) {
    spdlog::warn("job {} of tenant {}: its replica is gone; marking it failed", record.job_id,
                 record.tenant_id);
    job->tracker.failed(JobStatus::failed, reason_if_running);
    failed_total_.inc();
    return;
  }
  if (store_.cancel_requested(record.job_id)) {
    job->tracker.failed(JobStatus::cancelled, "cancelled by user");
    cancelled_total_.inc();
    return;
  }
  spdlog::info("job {} of tenant {}: waiting without a replica; running it here", record.job_id,
               record.tenant_id);
  std::lock_guard lock(mutex_);
  if (active_.count(record.job_id)) return;
  queue_locked(job);
  start_queued_locked();
}

void JobRunner::heartbeat() {
  std::vector<std::shared_ptr<Job>> mine;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, job] : active_) mine.push_back(job);
  }
  try {
    std::vector<std::string> ids;
    for (const auto& job : mine) ids.push_back(job->id);
    const auto now = common::now_micros();
    const auto until = lease_until();
    store_.renew_leases(replica_id_, ids, until);
    // After a gap longer than a lease (the store was unreachable, the process stalled) another
    // replica may have taken jobs over: a claim tells. A lost running job stops quietly; a lost
    // waiting one is dropped when its turn comes (run() claims again).
    const auto last = last_renewal_us_.exchange(now);
    if (last != 0 && now - last > until - now) {
      for (const auto& job : mine) {
        if (!job->tracker.finished() && !store_.claim_job(job->id, replica_id_, until)) {
          spdlog::warn("job {}: taken over by another replica while this one was away", job->id);
          job->lost = true;
          job->cancelled = true;
        }
      }
    }
    for (const auto& job : mine) {
      if (!job->cancelled && !job->tracker.finished() && store_.cancel_requested(job->id)) {
        spdlog::info("job {}: cancel requested through another replica", job->id);
        cancel_local(job);
      }
    }
    if (recovered_) {
      for (const auto& record : store_.expired_jobs(common::now_micros())) {
        take_over(record, kReplicaLost);
      }
    }
    if (store_down_.exchange(false)) spdlog::info("heartbeat: the store answers again");
  } catch (const std::exception& e) {
    if (!store_down_.exchange(true)) spdlog::warn("heartbeat: {}", e.what());
  }
}

void JobRunner::heartbeat_loop() {
  const auto period = std::max(config_.lease, kMinLease) / 3;
  std::unique_lock lock(heartbeat_mu_);
  while (!heartbeat_cv_.wait_for(lock, period, [this] { return heartbeat_stop_; })) {
    lock.unlock();
    heartbeat();
    lock.lock();
  }
}

void JobRunner::stop_heartbeat() {
  {
    std::lock_guard lock(heartbeat_mu_);
    heartbeat_stop_ = true;
  }
  heartbeat_cv_.notify_all();
  if (heartbeat_thread_.joinable() && heartbeat_thread_.get_id() != std::this_thread::get_id()) {
    heartbeat_thread_.join();
  }
}

}  // namespace levain::training
