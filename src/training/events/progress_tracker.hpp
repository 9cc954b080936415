#pragma once
/// One job's progress: the only writer of its JobRecord and the only publisher of its events.
/// Each step assigns the next seq, saves the record, and publishes, all under one lock, so the
/// store is never behind the bus and subscribers see seq 1, 2, 3… in order with no gap
/// (DESIGN.md §3). Thread-safe: product fits complete concurrently.

#include <boost/json/object.hpp>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "bus/event_bus.hpp"
#include "common/metrics.hpp"
#include "training/events/event.hpp"
#include "training/progress/accuracy_summary.hpp"
#include "training/progress/eta_estimator.hpp"
#include "training/store/store.hpp"

namespace levain::training {

/// 0 started, 20 analysed, 20 + completed/total × 60 while training (floored), 100 completed.
int progress_for(int products_completed, int total_products);

class ProgressTracker {
 public:
  ProgressTracker(JobRecord record, Store& store, bus::EventBus& bus,
                  common::Counter& events_published);

  void started(int total_products);
  /// The data is loaded: `report` is the data report (the event carries it), `names[i]` and
  /// `rows[i]` product i's name and history length, `threads` the fits that run at once.
  void analysed(const std::string& details, boost::json::object report,
                std::vector<std::string> names, std::vector<std::size_t> rows, unsigned threads);
  /// Product `index`'s fit begins: it is in flight until its product_completed. No event.
  void product_started(std::size_t index, const std::string& name);
  void product_completed(std::size_t index, ProductResult result);
  void completed();
  /// Ends the job: status `failed` or `cancelled` (then data.reason is "cancelled").
  void failed(JobStatus final_status, const std::string& error);

  JobRecord snapshot() const;
  bool finished() const;

 private:
  /// Requires mutex_; callers check the job has not ended before they change it.
  void emit(EventType type, boost::json::object data);
  double now_s() const;
  /// eta_error for the completed event: each checkpoint's ETA against the real remaining time.
  boost::json::array eta_error(double end_s) const;

  mutable std::mutex mutex_;
  JobRecord record_;
  Store& store_;
  bus::EventBus& bus_;
  common::Counter& events_published_;
  const std::chrono::steady_clock::time_point born_ = std::chrono::steady_clock::now();
  std::optional<EtaEstimator> eta_;  // from the analysis on
  EtaCheck eta_check_;
  AccuracySummary summary_;
  std::vector<std::pair<std::size_t, std::string>> in_flight_;  // index, name; fit order
  // What a freed thread fits next (the pool takes products in order), so a job on one thread
  // still shows what it is fitting as each product's event goes out.
  std::vector<std::string> names_;
  std::vector<bool> begun_;
  std::size_t next_ = 0;  // lowest index not begun
  unsigned threads_ = 1;
};

}  // namespace levain::training
