#pragma once
/// One job's progress: the only writer of its JobRecord and the only publisher of its events.
/// Each step assigns the next seq, saves the record, and publishes, all under one lock, so the
/// store is never behind the bus and subscribers see seq 1, 2, 3… in order with no gap
/// (DESIGN.md §3). Thread-safe: product fits complete concurrently.

#include <boost/json/object.hpp>
#include <mutex>
#include <string>

#include "bus/event_bus.hpp"
#include "common/metrics.hpp"
#include "training/events/event.hpp"
#include "training/store/store.hpp"

namespace levain::training {

/// 0 started, 20 analysed, 20 + completed/total × 60 while training (floored), 100 completed.
int progress_for(int products_completed, int total_products);

class ProgressTracker {
 public:
  ProgressTracker(JobRecord record, Store& store, bus::EventBus& bus,
                  common::Counter& events_published);

  void started(int total_products);
  void analysed(const std::string& details);
  void product_completed(ProductResult result);
  void completed();
  /// Ends the job: status `failed` or `cancelled` (then data.reason is "cancelled").
  void failed(JobStatus final_status, const std::string& error);

  JobRecord snapshot() const;
  bool finished() const;

 private:
  /// Requires mutex_; callers check the job has not ended before they change it.
  void emit(EventType type, boost::json::object data);

  mutable std::mutex mutex_;
  JobRecord record_;
  Store& store_;
  bus::EventBus& bus_;
  common::Counter& events_published_;
};

}  // namespace levain::training
