#pragma once
/// Reads the jobs whose watchers here heard nothing for a while from the store, and tells the
/// manager where each stands (quiet_jobs.hpp says why). Once a second, at most kPerTick jobs,
/// through the joins' SnapshotBatcher, so a job being joined right now costs no extra read.

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <string>

#include "common/metrics.hpp"
#include "training/live/connection_manager.hpp"
#include "training/live/snapshot_batcher.hpp"

namespace levain::training {

class StoreCheck {
 public:
  using Load = std::function<void(const std::string& tenant, const std::string& job,
                                  SnapshotBatcher::Done done)>;
  static constexpr std::size_t kPerTick = 64;

  StoreCheck(ConnectionManager& manager, boost::asio::any_io_executor executor, Load load,
             common::MetricsRegistry& metrics);
  ~StoreCheck();
  void start();
  /// Stops the timer; a read under way finds it stopped. Its callback may still run until the
  /// loads' executor is joined, so this object must outlive that.
  void stop();

 private:
  void tick();
  void checked(const std::string& job_id, const std::string& tenant,
               const std::optional<JobRecord>& job);

  ConnectionManager& manager_;
  boost::asio::steady_timer timer_;
  Load load_;
  common::Counter& checks_;
  common::Counter& ahead_;
  std::atomic<bool> running_{false};
};

}  // namespace levain::training
