#pragma once
/// The event bus between the job runners that publish training events and the bridge that fans
/// them out to WebSockets. In-process on one machine, RabbitMQ across machines; the same
/// contract either way: topic routing keys (`*` = one word, `#` = zero or more), and every
/// subscriber sees a publisher's messages in publish order (RabbitMQ: except those published
/// while its connection was down; on_resubscribed() says when that may have happened).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace levain::bus {

struct Message {
  std::string routing_key;
  std::shared_ptr<const std::string> body;  // immutable, shared by every subscriber
};

/// Must be quick and must not block: it runs on the publisher's or the consumer's thread.
using Handler = std::function<void(const Message&)>;

class EventBus {
 public:
  virtual ~EventBus() = default;
  virtual void publish(std::string routing_key, std::shared_ptr<const std::string> body) = 0;
  /// Returns an id for unsubscribe(). `pattern` uses AMQP topic syntax.
  virtual std::uint64_t subscribe(std::string pattern, Handler handler) = 0;
  /// `callback` runs (on the consumer's thread) each time the bus has bound its subscriptions
  /// again after losing its connection: events published in between never reached them, so a
  /// subscriber re-reads state it keeps elsewhere. The in-process bus never loses one and never
  /// calls it. Returns an id for unsubscribe().
  virtual std::uint64_t on_resubscribed(std::function<void()> callback) = 0;
  /// Ends a subscription or a resubscribe callback; once it returns, that handler or callback is
  /// not running and never runs again.
  virtual void unsubscribe(std::uint64_t id) = 0;
  /// False while the bus cannot deliver (a broker away); drives /readyz.
  virtual bool healthy() const = 0;
};

/// AMQP topic matching: words split on '.', `*` matches exactly one word, `#` zero or more.
bool topic_matches(std::string_view pattern, std::string_view routing_key);

}  // namespace levain::bus
