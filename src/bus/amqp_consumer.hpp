#pragma once
/// The consuming half of the RabbitMQ bus: one I/O thread owns the consumer connection. Each
/// subscription gets its own exclusive, server-named, auto-delete queue bound with its pattern
/// (never a shared queue: every replica must see every event), and its handler runs on this
/// thread, in the order the broker delivers. After a (re)connect every queue is declared and
/// bound again and the resubscribe callbacks run: whatever was published meanwhile is lost to
/// this replica, and they repair that from the store.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "bus/amqp_connection.hpp"
#include "bus/event_bus.hpp"
#include "bus/rabbitmq_config.hpp"

namespace levain::bus {

class AmqpConsumer {
 public:
  AmqpConsumer(const RabbitMqConfig& config, const AmqpUrl& url, BusMetrics& metrics);
  ~AmqpConsumer();
  AmqpConsumer(const AmqpConsumer&) = delete;
  AmqpConsumer& operator=(const AmqpConsumer&) = delete;

  /// Returns once the queue is bound while connected (so what is published next reaches it),
  /// or at once while disconnected (it is bound on connect). Callable from a handler.
  void subscribe(std::uint64_t id, std::string pattern, Handler handler);
  void on_resubscribed(std::uint64_t id, std::function<void()> callback);
  /// After it returns, the handler or callback `id` is not running and never runs again.
  void unsubscribe(std::uint64_t id);
  bool connected() const { return connected_.load(); }

 private:
  struct Subscription {
    std::string pattern;
    std::shared_ptr<Handler> handler;
  };
  struct Bound {
    std::string queue;
    std::string consumer_tag;
  };

  void run();
  void serve(AmqpConnection& connection);
  /// Declares, binds and consumes for new subscriptions; cancels dropped ones.
  void reconcile(AmqpConnection& connection);
  void deliver(AmqpConnection& connection, const amqp_basic_deliver_t& deliver);
  void run_resubscribed_callbacks();
  void set_connected(bool up);
  bool on_io_thread() const { return std::this_thread::get_id() == thread_.get_id(); }

  const RabbitMqConfig& config_;
  AmqpOptions options_;
  BusMetrics& metrics_;

  // Held while a handler or callback runs; unsubscribe takes it so it can promise the handler
  // is done. Order: dispatch_mutex_ before mutex_.
  std::mutex dispatch_mutex_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::uint64_t, Subscription> subscriptions_;
  std::map<std::uint64_t, std::shared_ptr<std::function<void()>>> resubscribed_;
  std::uint64_t wanted_ = 0;              // bumped by every (un)subscribe
  std::uint64_t applied_ = 0;             // the last `wanted_` the broker side reflects
  std::map<std::uint64_t, Bound> bound_;  // I/O thread only

  Wakeup wakeup_;
  std::atomic<bool> connected_{false};
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace levain::bus
