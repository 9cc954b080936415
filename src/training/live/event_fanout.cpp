#include "training/live/event_fanout.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/ids.hpp"
#include "training/events/event.hpp"

namespace levain::training {

EventFanout::EventFanout(bus::EventBus& bus, ConnectionManager& manager,
                         common::MetricsRegistry& metrics)
    : bus_(bus),
      manager_(manager),
      received_(metrics.counter("levain_bridge_events_total", "Events the fan-out received")),
      malformed_(metrics.counter("levain_bridge_malformed_total",
                                 "Bus messages dropped because they were not training events")),
      resnapshots_(metrics.counter(
          "levain_bridge_resnapshots_total",
          "Watchers re-sent their job's snapshot after the bus re-bound its subscription")),
      publish_to_bus_(metrics.histogram(
          "levain_publish_to_bus_seconds",
          "From an event's timestamp (its publish) until it came off the bus here",
          {0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 10})),
      resubscribed_(bus.on_resubscribed([this] { on_resubscribed(); })),
      subscription_(bus.subscribe("training.#", [this](const bus::Message& m) { on_message(m); })) {
}

EventFanout::~EventFanout() { stop(); }

void EventFanout::stop() {
  if (stopped_) return;
  stopped_ = true;
  bus_.unsubscribe(subscription_);
  bus_.unsubscribe(resubscribed_);
}

void EventFanout::on_resubscribed() {
  const auto n = manager_.resnapshot_all();
  resnapshots_.inc(n);
  if (n > 0) spdlog::info("fan-out: bus re-bound; re-sending snapshots to {} watcher(s)", n);
}

void EventFanout::on_message(const bus::Message& message) {
  const auto arrived = std::chrono::steady_clock::now();
  received_.inc();
  auto header = parse_event_header(*message.body);
  if (!header) {
    malformed_.inc();
    spdlog::warn("fan-out: dropped a message on {} that is not a training event",
                 message.routing_key);
    return;
  }
  if (header->published_us > 0) {
    // Wall clocks: another machine's may be a little ahead, which reads as 0, not as negative.
    const auto us = std::max<std::int64_t>(0, common::now_micros() - header->published_us);
    publish_to_bus_.observe(static_cast<double>(us) / 1e6);
  }
  auto event = std::make_shared<const OutboundEvent>(
      OutboundEvent{header->seq, header->terminal, std::move(header->type), message.body, arrived});
  manager_.broadcast(header->job_id, event);
}

}  // namespace levain::training
