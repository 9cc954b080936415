#pragma once
/// The one consumer per replica: subscribes `training.#` (a `*` would miss
/// `training.product.completed`) and hands each event, parsed once, to the connection manager.
/// When the bus has re-bound after losing its connection, every watcher is re-sent its job's
/// snapshot from the store, so none stays behind on events that fell into the gap.

#include <cstdint>

#include "bus/event_bus.hpp"
#include "common/metrics.hpp"
#include "training/live/connection_manager.hpp"

namespace levain::training {

class EventFanout {
 public:
  EventFanout(bus::EventBus& bus, ConnectionManager& manager, common::MetricsRegistry& metrics);
  ~EventFanout();
  EventFanout(const EventFanout&) = delete;
  /// Stops forwarding (idempotent): once it returns no handler runs, so the sessions and their
  /// I/O context may go even while a RabbitMQ consumer still receives other replicas' events.
  void stop();
  EventFanout& operator=(const EventFanout&) = delete;

 private:
  void on_message(const bus::Message& message);
  void on_resubscribed();

  bus::EventBus& bus_;
  ConnectionManager& manager_;
  common::Counter& received_;
  common::Counter& malformed_;
  common::Counter& resnapshots_;
  common::Histogram& publish_to_bus_;
  std::uint64_t resubscribed_;  // registered before subscribing, so no re-bind goes unseen
  std::uint64_t subscription_;
  bool stopped_ = false;
};

}  // namespace levain::training
