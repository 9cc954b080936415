#pragma once
/// Settings of the RabbitMQ event bus (`levain training --amqp-url ...`) and the metrics its two
/// connections share.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/metrics.hpp"

namespace levain::bus {

struct RabbitMqConfig {
  std::string url;  // amqp://user:pass@host:port/vhost
  std::string exchange = "training.events";
  /// Messages kept while the broker is away (or unconfirmed); past it progress events are dropped.
  std::size_t outbox_limit = 10000;
  /// Routing keys never dropped from a full outbox: a job's end must reach its watchers.
  std::vector<std::string> never_drop = {"training.completed", "training.failed"};
  std::chrono::seconds heartbeat{10};
  std::chrono::milliseconds connect_timeout{5000};  // TCP connect, login and each AMQP RPC
  std::chrono::milliseconds backoff_initial{100};
  std::chrono::milliseconds backoff_max{10000};
  /// How long the destructor keeps trying to deliver what is still in the outbox.
  std::chrono::milliseconds shutdown_drain{3000};
  std::uint16_t prefetch = 1000;  // unacknowledged deliveries the broker may push at once
};

/// Registered once per bus; names are `levain_bus_*`.
struct BusMetrics {
  explicit BusMetrics(common::MetricsRegistry& registry);
  common::Counter& published;   // accepted by publish()
  common::Counter& confirmed;   // confirmed by the broker
  common::Counter& dropped;     // progress events dropped from a full outbox
  common::Gauge& outbox_depth;  // waiting or unconfirmed
  common::Counter& consumed;    // deliveries handed to subscribers
  common::Counter& publisher_reconnects;
  common::Counter& consumer_reconnects;
  common::Gauge& publisher_connected;
  common::Gauge& consumer_connected;
};

}  // namespace levain::bus
