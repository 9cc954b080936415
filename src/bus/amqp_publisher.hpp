#pragma once
/// The publishing half of the RabbitMQ bus: publish() only appends to the bounded outbox and
/// wakes the I/O thread, which alone owns the publisher connection. That thread sends in publish
/// order with publisher confirms, releases what the broker confirmed, and after a lost
/// connection reconnects with backoff and jitter, re-declares the exchange and sends again
/// what was never confirmed, first.

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "bus/amqp_connection.hpp"
#include "bus/outbox.hpp"
#include "bus/rabbitmq_config.hpp"

namespace levain::bus {

class AmqpPublisher {
 public:
  AmqpPublisher(const RabbitMqConfig& config, const AmqpUrl& url, BusMetrics& metrics);
  /// Delivers what it can within config.shutdown_drain, then closes.
  ~AmqpPublisher();
  AmqpPublisher(const AmqpPublisher&) = delete;
  AmqpPublisher& operator=(const AmqpPublisher&) = delete;

  /// Thread-safe, never blocks on the network.
  void publish(std::string routing_key, std::shared_ptr<const std::string> body);
  bool connected() const { return connected_.load(); }
  std::size_t outbox_size() const;

 private:
  void run();
  /// Sends and reads confirms until stopping and drained; throws AmqpError when the link fails.
  void serve(AmqpConnection& connection);
  /// Sends up to a slice of waiting messages; true when more wait.
  bool send_waiting(AmqpConnection& connection, std::uint64_t& next_tag);
  bool drained_or_out_of_time();
  /// Backoff sleep; a shutdown cuts it short to the drain deadline.
  void sleep_until(std::chrono::steady_clock::time_point until);
  void set_connected(bool up);

  const RabbitMqConfig& config_;
  AmqpOptions options_;
  BusMetrics& metrics_;
  mutable std::mutex mutex_;
  Outbox outbox_;
  Wakeup wakeup_;
  std::atomic<bool> connected_{false};
  std::atomic<bool> stopping_{false};
  std::chrono::steady_clock::time_point drain_deadline_;
  std::thread thread_;  // last: starts after everything it uses exists
};

}  // namespace levain::bus
