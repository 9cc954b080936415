#include "bus/rabbitmq_bus.hpp"

#include <stdexcept>

namespace levain::bus {

namespace {

constexpr std::size_t kMaxShortString = 255;  // AMQP routing and binding keys are shortstr

const RabbitMqConfig& validated(const RabbitMqConfig& c) {
  if (c.outbox_limit == 0) throw std::invalid_argument("the bus outbox limit must be at least 1");
  if (c.exchange.empty() || c.exchange.size() > kMaxShortString) {
    throw std::invalid_argument("the exchange name must have 1 to 255 bytes");
  }
  if (c.backoff_initial.count() <= 0 || c.backoff_max < c.backoff_initial) {
    throw std::invalid_argument("reconnect backoff bounds must satisfy 0 < initial <= max");
  }
  return c;
}

}  // namespace

BusMetrics::BusMetrics(common::MetricsRegistry& r)
    : published(r.counter("levain_bus_published_total", "Events handed to the RabbitMQ bus")),
      confirmed(r.counter("levain_bus_confirmed_total", "Events the broker confirmed")),
      dropped(r.counter("levain_bus_outbox_dropped_total",
                        "Progress events dropped because the outbox was full")),
      outbox_depth(r.gauge("levain_bus_outbox_depth", "Events waiting or unconfirmed")),
      consumed(r.counter("levain_bus_consumed_total", "Deliveries handed to subscribers")),
      publisher_reconnects(r.counter("levain_bus_reconnects_total",
                                     "Connections re-established after a loss",
                                     "connection=\"publisher\"")),
      consumer_reconnects(r.counter("levain_bus_reconnects_total",
                                    "Connections re-established after a loss",
                                    "connection=\"consumer\"")),
      publisher_connected(r.gauge("levain_bus_connected", "1 while the connection is up",
                                  "connection=\"publisher\"")),
      consumer_connected(r.gauge("levain_bus_connected", "1 while the connection is up",
                                 "connection=\"consumer\"")) {}

RabbitMqBus::RabbitMqBus(RabbitMqConfig config, common::MetricsRegistry& metrics)
    : config_(validated(config)),
      url_(parse_amqp_url(config_.url)),
      metrics_(metrics),
      publisher_(config_, url_, metrics_),
      consumer_(config_, url_, metrics_) {}

RabbitMqBus::~RabbitMqBus() = default;

void RabbitMqBus::publish(std::string routing_key, std::shared_ptr<const std::string> body) {
  if (routing_key.size() > kMaxShortString) {
    throw std::invalid_argument("routing key longer than 255 bytes");
  }
  publisher_.publish(std::move(routing_key), std::move(body));
}

std::uint64_t RabbitMqBus::subscribe(std::string pattern, Handler handler) {
  if (pattern.size() > kMaxShortString) {
    throw std::invalid_argument("binding pattern longer than 255 bytes");
  }
  const auto id = next_id_++;
  consumer_.subscribe(id, std::move(pattern), std::move(handler));
  return id;
}

std::uint64_t RabbitMqBus::on_resubscribed(std::function<void()> callback) {
  const auto id = next_id_++;
  consumer_.on_resubscribed(id, std::move(callback));
  return id;
}

void RabbitMqBus::unsubscribe(std::uint64_t id) { consumer_.unsubscribe(id); }

bool RabbitMqBus::healthy() const { return publisher_.connected() && consumer_.connected(); }

}  // namespace levain::bus
