#pragma once
/// The single-node bus: publish() calls every matching subscriber synchronously, in order, on
/// the publisher's thread. A product feature (the default), not a test double: with a per-job
/// ordered publisher this gives the same ordering guarantee as one RabbitMQ queue per consumer.

#include <memory>
#include <mutex>
#include <vector>

#include "bus/event_bus.hpp"

namespace levain::bus {

class InProcessBus final : public EventBus {
 public:
  void publish(std::string routing_key, std::shared_ptr<const std::string> body) override;
  std::uint64_t subscribe(std::string pattern, Handler handler) override;
  /// Nothing is ever lost here, so the callback is never called.
  std::uint64_t on_resubscribed(std::function<void()> callback) override;
  void unsubscribe(std::uint64_t id) override;
  bool healthy() const override { return true; }

 private:
  struct Subscription {
    std::uint64_t id;
    std::string pattern;
    Handler handler;
  };
  using List = std::vector<std::shared_ptr<const Subscription>>;

  // Copy-on-write: publish takes a snapshot under the lock and calls handlers without it, so a
  // handler may (un)subscribe and no handler ever runs under our lock.
  std::mutex mutex_;
  std::shared_ptr<const List> subscriptions_ = std::make_shared<const List>();
  std::uint64_t next_id_ = 1;
};

}  // namespace levain::bus
