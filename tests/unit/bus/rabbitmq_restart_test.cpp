// RabbitMqBus across broker outages, on a private broker this test stops and starts:
// healthy() false while it is down; what was published meanwhile waits in the outbox and goes
// out in publish order on reconnect; subscriptions are bound again and say so; and after the
// broker lost all its data, the exchange and queues are declared again.

#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <gtest/gtest.h>

#include "bus/amqp_url.hpp"
#include "bus/rabbitmq_bus.hpp"
#include "bus_test_support.hpp"
#include "harness/rabbitmq_broker.hpp"
#include "harness/temp_dir.hpp"

namespace levain::bus {
namespace {

/// The last `n` entries (all of them when fewer).
std::vector<std::string> last(const std::vector<std::string>& v, std::size_t n) {
  return {v.end() - static_cast<std::ptrdiff_t>(std::min(n, v.size())), v.end()};
}

using bustest::body;
using bustest::config_for;
using bustest::Recorder;
using Seen = std::vector<std::string>;

/// A plain rabbitmq-c client with a durable queue bound to the exchange: it keeps what the
/// exchange routed while nobody consumed, so the test can read the drained order afterwards.
class DurableTap {
 public:
  DurableTap(const std::string& url, const std::string& exchange, const std::string& queue)
      : queue_(queue) {
    const auto u = parse_amqp_url(url);
    conn_ = amqp_new_connection();
    auto* socket = amqp_tcp_socket_new(conn_);
    if (amqp_socket_open(socket, u.host.c_str(), u.port) != AMQP_STATUS_OK) {
      throw std::runtime_error("tap: cannot connect");
    }
    expect_ok(amqp_login(conn_, u.vhost.c_str(), 0, AMQP_DEFAULT_FRAME_SIZE, 0,
                         AMQP_SASL_METHOD_PLAIN, u.user.c_str(), u.password.c_str()));
    amqp_channel_open(conn_, 1);
    expect_ok(amqp_get_rpc_reply(conn_));
    amqp_queue_declare(conn_, 1, amqp_cstring_bytes(queue.c_str()), 0, 1, 0, 0, amqp_empty_table);
    expect_ok(amqp_get_rpc_reply(conn_));
    amqp_queue_bind(conn_, 1, amqp_cstring_bytes(queue.c_str()),
                    amqp_cstring_bytes(exchange.c_str()), amqp_cstring_bytes("#"),
                    amqp_empty_table);
    expect_ok(amqp_get_rpc_reply(conn_));
  }
  ~DurableTap() {
    amqp_channel_close(conn_, 1, AMQP_REPLY_SUCCESS);
    amqp_connection_close(conn_, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(conn_);
  }

  /// Takes every message in the queue, oldest first.
  Seen drain() {
    Seen out;
    while (true) {
      amqp_maybe_release_buffers(conn_);
      const auto reply = amqp_basic_get(conn_, 1, amqp_cstring_bytes(queue_.c_str()), 1);
      expect_ok(reply);
      if (reply.reply.id == AMQP_BASIC_GET_EMPTY_METHOD) return out;
      const auto* ok = static_cast<amqp_basic_get_ok_t*>(reply.reply.decoded);
      const std::string key(static_cast<char*>(ok->routing_key.bytes), ok->routing_key.len);
      amqp_message_t message;
      expect_ok(amqp_read_message(conn_, 1, &message, 0));
      out.push_back(key + " " +
                    std::string(static_cast<char*>(message.body.bytes), message.body.len));
      amqp_destroy_message(&message);
    }
  }

 private:
  static void expect_ok(const amqp_rpc_reply_t& r) {
    if (r.reply_type != AMQP_RESPONSE_NORMAL) throw std::runtime_error("tap: AMQP call failed");
  }
  amqp_connection_state_t conn_;
  std::string queue_;
};

TEST(RabbitMqRestart, OutboxDrainsInOrderAndTopologyIsDeclaredAgain) {
  integration::TempDir dir("levain-bus-restart");
  integration::PrivateBroker broker(dir.path() / "broker");
  common::MetricsRegistry metrics;
  auto config = config_for(broker.url());
  RabbitMqBus bus(config, metrics);
  ASSERT_TRUE(integration::wait_until([&] { return bus.healthy(); }));

  std::atomic<int> resubscribed{0};
  bus.on_resubscribed([&] { ++resubscribed; });
  Recorder rec;
  bus.subscribe("training.#", rec.handler());
  Seen expected;
  auto publish = [&](int from, int to) {
    for (int i = from; i <= to; ++i) {
      const std::string key = i % 10 == 0 ? "training.completed" : "training.progress";
      bus.publish(key, body(std::to_string(i)));
      expected.push_back(key + " " + std::to_string(i));
    }
  };

  // Up: the tap (a durable queue) and the subscriber both see 1..10.
  {
    DurableTap tap(broker.url(), config.exchange, "drain-check");
    publish(1, 10);
    ASSERT_TRUE(rec.wait_for(10));
    ASSERT_TRUE(integration::wait_until([&] { return bus.outbox_size() == 0; }));
    EXPECT_EQ(tap.drain(), Seen(expected.begin(), expected.begin() + 10));
  }

  // Down: unhealthy, publishes wait in the outbox.
  broker.stop();
  ASSERT_TRUE(integration::wait_until([&] { return !bus.healthy(); }));
  publish(11, 60);
  EXPECT_EQ(bus.outbox_size(), 50u);
  EXPECT_EQ(bustest::metric_value(metrics.render(), "levain_bus_outbox_depth"), 50);

  // Up again: the outbox drains, in publish order, into the durable queue that survived.
  broker.start();
  ASSERT_TRUE(integration::wait_until([&] { return bus.healthy() && bus.outbox_size() == 0; }));
  ASSERT_TRUE(integration::wait_until([&] { return resubscribed.load() >= 1; }));
  {
    DurableTap tap(broker.url(), config.exchange, "drain-check");
    EXPECT_EQ(tap.drain(), Seen(expected.begin() + 10, expected.end()));
  }
  // The subscriber's queue is new (the old one died with the connection) but bound as before.
  const auto before = rec.count();
  publish(61, 70);
  ASSERT_TRUE(rec.wait_for(before + 10));
  EXPECT_EQ(last(rec.seen(), 10), last(expected, 10));

  // A broker that lost everything (no exchange, no queues): both connections declare again.
  broker.stop();
  ASSERT_TRUE(integration::wait_until([&] { return !bus.healthy(); }));
  broker.wipe();
  broker.start();
  ASSERT_TRUE(integration::wait_until([&] { return bus.healthy(); }));
  ASSERT_TRUE(integration::wait_until([&] { return resubscribed.load() >= 2; }));
  const auto before_wipe = rec.count();
  publish(71, 80);
  ASSERT_TRUE(rec.wait_for(before_wipe + 10));
  EXPECT_EQ(last(rec.seen(), 10), last(expected, 10));
  EXPECT_TRUE(integration::wait_until([&] { return bus.outbox_size() == 0; }));

  // At least one per restart (a connection may also have caught a broker on its way down).
  const auto text = metrics.render();
  EXPECT_GE(bustest::metric_value(text, "levain_bus_reconnects_total{connection=\"publisher\"}"), 2)
      << text;
  EXPECT_GE(bustest::metric_value(text, "levain_bus_reconnects_total{connection=\"consumer\"}"), 2)
      << text;
}

}  // namespace
}  // namespace levain::bus
