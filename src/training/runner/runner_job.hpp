#pragma once
/// Internal to the job runner: one queued or running job, shared by the runner's source files
/// (running and fitting in runner.cpp, leases and take-overs in runner_ownership.cpp).

#include <atomic>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "forecast/holidays.hpp"
#include "training/events/progress_tracker.hpp"
#include "training/runner/runner.hpp"

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
  /// Why the job stopped early because its store could not be written (set once, with
  /// `cancelled`, so the other fits stop); its end says so instead of "cancelled by user".
  void stop_for_store(const std::string& what) {
    std::lock_guard lock(store_error_mutex);
    if (!store_error) store_error = what;
    cancelled = true;
  }
  std::optional<std::string> store_failure() {
    std::lock_guard lock(store_error_mutex);
    return store_error;
  }
  std::vector<std::optional<forecast::Series>> series;  // written by run(), read by the fits
  forecast::HolidayCalendar tenant_holidays;            // the bakery's own, read once by run()
  std::atomic<std::size_t> remaining{0};

 private:
  std::mutex store_error_mutex;
  std::optional<std::string> store_error;  // guarded by store_error_mutex
};

}  // namespace levain::training
