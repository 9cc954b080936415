#pragma once
/// Internal to the job runner: one queued or running job, shared by the runner's source files
/// (running and fitting in runner.cpp, leases and take-overs in runner_ownership.cpp).

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "training/events/progress_tracker.hpp"
#include "training/jobs/runner.hpp"

namespace levain::training {

struct JobRunner::Job {
  Job(JobRecord record, Store& store, bus::EventBus& bus, common::Counter& published)
      : id(record.job_id),
        tenant(record.tenant_id),
        requested(record.requested_products),
        horizon_days(record.horizon_days),
        tracker(std::move(record), store, bus, published) {}

  const std::string id;
  const std::string tenant;
  const std::vector<std::string> requested;
  const int horizon_days;
  ProgressTracker tracker;
  std::atomic<bool> cancelled{false};
  std::atomic<bool> lost{false};  // another replica took the job over: publish nothing more
  std::vector<std::optional<forecast::Series>> series;  // written by run(), read by the fits
  std::atomic<std::size_t> remaining{0};
};

}  // namespace levain::training
