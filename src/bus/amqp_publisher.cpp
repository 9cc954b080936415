#include "bus/amqp_publisher.hpp"

#include <poll.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>

#include "bus/backoff.hpp"

namespace levain::bus {

namespace {
constexpr auto kIdleTick = std::chrono::milliseconds(1000);
constexpr int kSendSlice = 256;
}  // namespace

AmqpPublisher::AmqpPublisher(const RabbitMqConfig& config, const AmqpUrl& url, BusMetrics& metrics)
    : config_(config),
      options_{url, config.heartbeat, config.connect_timeout, "levain publisher"},
      metrics_(metrics),
      outbox_(config.outbox_limit),
      thread_([this] { run(); }) {}

AmqpPublisher::~AmqpPublisher() {
  {
    std::lock_guard lock(mutex_);
    drain_deadline_ = std::chrono::steady_clock::now() + config_.shutdown_drain;
  }
  stopping_ = true;
  wakeup_.notify();
  thread_.join();
  std::lock_guard lock(mutex_);
  if (!outbox_.empty()) {
    spdlog::warn("bus: closing with {} event(s) the broker never confirmed", outbox_.size());
  }
}

void AmqpPublisher::publish(std::string routing_key, std::shared_ptr<const std::string> body) {
  const bool droppable = std::find(config_.never_drop.begin(), config_.never_drop.end(),
                                   routing_key) == config_.never_drop.end();
  std::size_t dropped = 0;
  {
    std::lock_guard lock(mutex_);
    dropped = outbox_.push({std::move(routing_key), std::move(body), droppable});
    metrics_.outbox_depth.set(static_cast<std::int64_t>(outbox_.size()));
  }
  metrics_.published.inc();
  if (dropped > 0) {
    metrics_.dropped.inc(dropped);
    spdlog::debug("bus: outbox full ({}): dropped a progress event", config_.outbox_limit);
  }
  wakeup_.notify();
}

std::size_t AmqpPublisher::outbox_size() const {
  std::lock_guard lock(mutex_);
  return outbox_.size();
}

void AmqpPublisher::set_connected(bool up) {
  connected_ = up;
  metrics_.publisher_connected.set(up ? 1 : 0);
}

bool AmqpPublisher::drained_or_out_of_time() {
  std::lock_guard lock(mutex_);
  return outbox_.empty() || std::chrono::steady_clock::now() >= drain_deadline_;
}

void AmqpPublisher::run() {
  Backoff backoff(config_.backoff_initial, config_.backoff_max, std::random_device{}());
  bool ever_connected = false;
  OutageLog outage("publisher");
  while (!(stopping_ && drained_or_out_of_time())) {
    try {
      AmqpConnection connection(options_);
      connection.declare_topic_exchange(config_.exchange);
      connection.enable_confirms();
      if (ever_connected) metrics_.publisher_reconnects.inc();
      spdlog::info("bus: publisher connected to {}", options_.url.redacted());
      ever_connected = true;
      outage.reset();
      backoff.reset();
      set_connected(true);
      serve(connection);
      set_connected(false);
      return;  // stopping, and drained or out of time: the destructor closes politely
    } catch (const AmqpError& e) {
      set_connected(false);
      {
        std::lock_guard lock(mutex_);
        outbox_.rewind();
      }
      outage.failed(e.what());
    }
    sleep_until(std::chrono::steady_clock::now() + backoff.next());
  }
}

void AmqpPublisher::sleep_until(std::chrono::steady_clock::time_point until) {
  while (true) {
    auto wake_at = until;
    if (stopping_) {
      if (drained_or_out_of_time()) return;
      std::lock_guard lock(mutex_);
      wake_at = std::min(wake_at, drain_deadline_);
    }
    const auto left =
        std::chrono::ceil<std::chrono::milliseconds>(wake_at - std::chrono::steady_clock::now());
    if (left.count() <= 0) return;
    wakeup_.clear();
    pollfd pfd{wakeup_.fd(), POLLIN, 0};
    ::poll(&pfd, 1, static_cast<int>(left.count()));
  }
}

void AmqpPublisher::serve(AmqpConnection& connection) {
  std::uint64_t next_tag = 1;  // delivery tags count from 1 on a fresh confirm-mode channel
  while (true) {
    wakeup_.clear();  // before looking for work: a publish after this wakes the next wait
    const bool more = send_waiting(connection, next_tag);
    amqp_frame_t frame;
    while (connection.next_frame(frame)) {
      if (frame.frame_type != AMQP_FRAME_METHOD) continue;
      const auto& m = frame.payload.method;
      if (m.id == AMQP_BASIC_ACK_METHOD) {
        const auto* ack = static_cast<const amqp_basic_ack_t*>(m.decoded);
        std::size_t released = 0;
        {
          std::lock_guard lock(mutex_);
          released = outbox_.confirm(ack->delivery_tag, ack->multiple != 0);
          metrics_.outbox_depth.set(static_cast<std::int64_t>(outbox_.size()));
        }
        metrics_.confirmed.inc(released);
      } else if (m.id == AMQP_BASIC_NACK_METHOD) {
        // The broker lost them: reconnecting resends everything unconfirmed, in order.
        throw AmqpError("the broker refused (nack) a published event");
      }
    }
    connection.release_buffers();
    if (stopping_ && drained_or_out_of_time()) return;
    if (!more) connection.wait(wakeup_, kIdleTick);
  }
}

bool AmqpPublisher::send_waiting(AmqpConnection& connection, std::uint64_t& next_tag) {
  // A slice at a time, reading confirms in between: a long backlog after an outage must not
  // leave the broker's acknowledgements piling up unread.
  for (int i = 0; i < kSendSlice; ++i) {
    OutboxEntry entry;
    {
      std::lock_guard lock(mutex_);
      const OutboxEntry* next = outbox_.next_unsent();
      if (next == nullptr) return false;
      entry = *next;  // a shared body and a short key: cheap to copy out of the lock
      outbox_.mark_sent(next_tag++);
    }
    connection.publish(config_.exchange, entry.routing_key, *entry.body);
  }
  return true;
}

}  // namespace levain::bus
