#include "bus/amqp_consumer.hpp"

#include <poll.h>
#include <spdlog/spdlog.h>

#include <optional>
#include <random>
#include <vector>

#include "bus/backoff.hpp"

namespace levain::bus {

namespace {
constexpr auto kIdleTick = std::chrono::milliseconds(1000);
constexpr int kAckEvery = 100;  // deliveries acknowledged at once (the prefetch window is larger)

std::string text(amqp_bytes_t b) { return {static_cast<const char*>(b.bytes), b.len}; }
}  // namespace

AmqpConsumer::AmqpConsumer(const RabbitMqConfig& config, const AmqpUrl& url, BusMetrics& metrics)
    : config_(config),
      options_{url, config.heartbeat, config.connect_timeout, "levain consumer"},
      metrics_(metrics),
      thread_([this] { run(); }) {}

AmqpConsumer::~AmqpConsumer() {
  stopping_ = true;
  wakeup_.notify();
  {
    std::lock_guard lock(mutex_);
    changed_.notify_all();
  }
  thread_.join();
}

void AmqpConsumer::subscribe(std::uint64_t id, std::string pattern, Handler handler) {
  std::unique_lock lock(mutex_);
  subscriptions_[id] = {std::move(pattern), std::make_shared<Handler>(std::move(handler))};
  const auto mine = ++wanted_;
  wakeup_.notify();
  if (on_io_thread()) return;  // a handler subscribing: bound when it returns to the loop
  changed_.wait(lock, [&] { return applied_ >= mine || !connected_ || stopping_; });
}

void AmqpConsumer::on_resubscribed(std::uint64_t id, std::function<void()> callback) {
  std::lock_guard lock(mutex_);
  resubscribed_[id] = std::make_shared<std::function<void()>>(std::move(callback));
}

void AmqpConsumer::unsubscribe(std::uint64_t id) {
  std::unique_lock dispatch(dispatch_mutex_, std::defer_lock);
  if (!on_io_thread()) dispatch.lock();  // on the I/O thread we are the dispatcher
  std::lock_guard lock(mutex_);
  const bool had = subscriptions_.erase(id) > 0;
  resubscribed_.erase(id);
  if (had) {
    ++wanted_;
    wakeup_.notify();
  }
}

void AmqpConsumer::set_connected(bool up) {
  {
    std::lock_guard lock(mutex_);
    connected_ = up;
    changed_.notify_all();
  }
  metrics_.consumer_connected.set(up ? 1 : 0);
}

void AmqpConsumer::run() {
  Backoff backoff(config_.backoff_initial, config_.backoff_max, std::random_device{}());
  bool ever_connected = false;
  OutageLog outage("consumer");
  while (!stopping_) {
    try {
      AmqpConnection connection(options_);
      connection.declare_topic_exchange(config_.exchange);
      connection.set_prefetch(config_.prefetch);
      bound_.clear();
      reconcile(connection);
      if (ever_connected) metrics_.consumer_reconnects.inc();
      spdlog::info("bus: consumer connected to {} ({} subscription(s) bound)",
                   options_.url.redacted(), bound_.size());
      ever_connected = true;
      outage.reset();
      backoff.reset();
      set_connected(true);
      run_resubscribed_callbacks();
      serve(connection);
      set_connected(false);
      return;
    } catch (const AmqpError& e) {
      set_connected(false);
      bound_.clear();
      outage.failed(e.what());
    }
    const auto until = std::chrono::steady_clock::now() + backoff.next();
    while (!stopping_) {
      const auto left =
          std::chrono::ceil<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      wakeup_.clear();
      pollfd pfd{wakeup_.fd(), POLLIN, 0};
      ::poll(&pfd, 1, static_cast<int>(left.count()));
    }
  }
}

void AmqpConsumer::reconcile(AmqpConnection& connection) {
  std::map<std::uint64_t, std::string> wanted;
  std::uint64_t target = 0;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, sub] : subscriptions_) wanted.emplace(id, sub.pattern);
    target = wanted_;
  }
  for (auto it = bound_.begin(); it != bound_.end();) {
    if (wanted.contains(it->first)) {
      ++it;
      continue;
    }
    connection.cancel(it->second.consumer_tag);
    connection.delete_queue(it->second.queue);
    it = bound_.erase(it);
  }
  for (const auto& [id, pattern] : wanted) {
    if (bound_.contains(id)) continue;
    Bound b{connection.declare_private_queue(), "levain-" + std::to_string(id)};
    connection.bind(b.queue, config_.exchange, pattern);
    connection.consume(b.queue, b.consumer_tag);
    bound_.emplace(id, std::move(b));
  }
  std::lock_guard lock(mutex_);
  applied_ = target;
  changed_.notify_all();
}

void AmqpConsumer::serve(AmqpConnection& connection) {
  while (!stopping_) {
    wakeup_.clear();
    bool pending = false;
    {
      std::lock_guard lock(mutex_);
      pending = applied_ != wanted_;
    }
    if (pending) reconcile(connection);
    std::uint64_t unacked = 0;
    int since_ack = 0;
    amqp_frame_t frame;
    while (!stopping_ && connection.next_frame(frame)) {
      if (frame.frame_type != AMQP_FRAME_METHOD) continue;
      const auto& m = frame.payload.method;
      if (m.id == AMQP_BASIC_DELIVER_METHOD) {
        const auto& d = *static_cast<const amqp_basic_deliver_t*>(m.decoded);
        const auto tag = d.delivery_tag;
        deliver(connection, d);
        unacked = tag;
        if (++since_ack >= kAckEvery) {
          connection.ack(unacked, true);
          unacked = 0;
          since_ack = 0;
        }
      } else if (m.id == AMQP_BASIC_CANCEL_METHOD) {
        // The broker dropped our consumer (its queue was deleted): start over, re-declaring.
        throw AmqpError("the broker cancelled a consumer (its queue was deleted)");
      }
    }
    if (unacked != 0) connection.ack(unacked, true);
    connection.release_buffers();
    if (stopping_) return;
    connection.wait(wakeup_, kIdleTick);
  }
}

void AmqpConsumer::deliver(AmqpConnection& connection, const amqp_basic_deliver_t& d) {
  const std::string tag = text(d.consumer_tag);
  Message message{text(d.routing_key), nullptr};
  message.body = std::make_shared<const std::string>(connection.read_body());
  std::optional<std::uint64_t> id;
  for (const auto& [sub_id, b] : bound_) {
    if (b.consumer_tag == tag) id = sub_id;
  }
  if (!id) return;  // a consumer cancelled since: acknowledged with the rest, dropped
  std::lock_guard dispatch(dispatch_mutex_);
  std::shared_ptr<Handler> handler;
  {
    std::lock_guard lock(mutex_);
    const auto it = subscriptions_.find(*id);
    if (it == subscriptions_.end()) return;
    handler = it->second.handler;
  }
  metrics_.consumed.inc();
  try {
    (*handler)(message);
  } catch (const std::exception& e) {
    spdlog::error("bus: a handler for {} threw: {}", message.routing_key, e.what());
  }
}

void AmqpConsumer::run_resubscribed_callbacks() {
  std::lock_guard dispatch(dispatch_mutex_);
  std::vector<std::shared_ptr<std::function<void()>>> callbacks;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, cb] : resubscribed_) callbacks.push_back(cb);
  }
  for (const auto& cb : callbacks) {
    try {
      (*cb)();
    } catch (const std::exception& e) {
      spdlog::error("bus: a resubscribe callback threw: {}", e.what());
    }
  }
}

}  // namespace levain::bus
