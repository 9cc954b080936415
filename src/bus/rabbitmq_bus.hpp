#pragma once
/// The EventBus across replicas, on RabbitMQ (rabbitmq-c): every event goes to the durable topic
/// exchange `training.events`; every subscription has its own exclusive, server-named queue, so
/// every replica sees every event, in publish order. Two connections, each owned by its own I/O
/// thread (rabbitmq-c is not thread-safe): the publisher (bounded outbox, publisher confirms) and
/// the consumer (handlers run on its thread). Both reconnect by themselves with backoff and
/// jitter and re-declare the topology; healthy() is false until both are up again.

#include <atomic>
#include <memory>

#include "bus/amqp_consumer.hpp"
#include "bus/amqp_publisher.hpp"
#include "bus/event_bus.hpp"
#include "bus/rabbitmq_config.hpp"
#include "common/metrics.hpp"

namespace levain::bus {

class RabbitMqBus final : public EventBus {
 public:
  /// Throws std::invalid_argument for a bad URL or limit. Never waits for the broker: a replica
  /// starts while it is away and becomes healthy when it comes.
  RabbitMqBus(RabbitMqConfig config, common::MetricsRegistry& metrics);
  /// Delivers what the outbox holds within config.shutdown_drain, then closes both connections.
  ~RabbitMqBus() override;

  /// Never blocks on the network. Throws std::invalid_argument for a routing key AMQP cannot
  /// carry (over 255 bytes).
  void publish(std::string routing_key, std::shared_ptr<const std::string> body) override;
  /// Returns once the queue is bound when connected; see AmqpConsumer::subscribe.
  std::uint64_t subscribe(std::string pattern, Handler handler) override;
  std::uint64_t on_resubscribed(std::function<void()> callback) override;
  void unsubscribe(std::uint64_t id) override;
  bool healthy() const override;

  std::size_t outbox_size() const { return publisher_.outbox_size(); }
  bool publisher_connected() const { return publisher_.connected(); }

 private:
  RabbitMqConfig config_;
  AmqpUrl url_;
  BusMetrics metrics_;
  std::atomic<std::uint64_t> next_id_{1};
  AmqpPublisher publisher_;
  AmqpConsumer consumer_;
};

}  // namespace levain::bus
