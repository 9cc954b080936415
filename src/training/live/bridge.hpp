#pragma once
/// The one consumer per replica: subscribes `training.#` (a `*` would miss
/// `training.product.completed`) and hands each event, parsed once, to the connection manager.

#include <cstdint>

#include "bus/event_bus.hpp"
#include "common/metrics.hpp"
#include "training/live/connection_manager.hpp"

namespace levain::training {

class Bridge {
 public:
  Bridge(bus::EventBus& bus, ConnectionManager& manager, common::MetricsRegistry& metrics);
  ~Bridge();
  Bridge(const Bridge&) = delete;
  Bridge& operator=(const Bridge&) = delete;

 private:
  void on_message(const bus::Message& message);

  bus::EventBus& bus_;
  ConnectionManager& manager_;
  common::Counter& received_;
  common::Counter& malformed_;
  std::uint64_t subscription_;
};

}  // namespace levain::training
