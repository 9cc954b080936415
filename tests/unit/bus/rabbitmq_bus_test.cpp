// RabbitMqBus against the real broker of the CTest fixture: order, topic wildcards, fan-out to
// every subscriber and replica, unsubscribe, metrics; and, with no broker at all, a bus that
// stays up, reports unhealthy and keeps a bounded outbox.

#include "bus/rabbitmq_bus.hpp"

#include <gtest/gtest.h>

#include "bus_test_support.hpp"
#include "harness/rabbitmq_broker.hpp"

namespace levain::bus {
namespace {

using bustest::body;
using bustest::config_for;
using bustest::Recorder;
using Seen = std::vector<std::string>;

class RabbitMqBusTest : public ::testing::Test {
 protected:
  std::unique_ptr<RabbitMqBus> connected_bus(const RabbitMqConfig& config) {
    auto bus = std::make_unique<RabbitMqBus>(config, metrics_);
    EXPECT_TRUE(integration::wait_until([&] { return bus->healthy(); }))
        << "the bus did not connect to " << config.url;
    return bus;
  }
  common::MetricsRegistry metrics_;
  std::string url_ = integration::shared_broker_url();
};

TEST_F(RabbitMqBusTest, DeliversEveryMessageInPublishOrder) {
  auto bus = connected_bus(config_for(url_));
  Recorder rec;
  bus->subscribe("training.#", rec.handler());
  Seen expected;
  for (int i = 1; i <= 500; ++i) {
    const std::string key = i % 3 == 0 ? "training.product.completed" : "training.progress";
    bus->publish(key, body(std::to_string(i)));
    expected.push_back(key + " " + std::to_string(i));
  }
  ASSERT_TRUE(rec.wait_for(500)) << rec.count();
  EXPECT_EQ(rec.seen(), expected);
  EXPECT_TRUE(integration::wait_until([&] { return bus->outbox_size() == 0; }));
}

TEST_F(RabbitMqBusTest, HashReachesProductCompletedAndStarDoesNot) {
  auto bus = connected_bus(config_for(url_));
  Recorder hash, star;
  bus->subscribe("training.#", hash.handler());
  bus->subscribe("training.*", star.handler());
  bus->publish("training.product.completed", body("p"));
  bus->publish("training.completed", body("end"));
  ASSERT_TRUE(hash.wait_for(2));
  ASSERT_TRUE(star.wait_for(1));
  EXPECT_EQ(hash.seen(), (Seen{"training.product.completed p", "training.completed end"}));
  // Same queue order: had `*` matched the first, it would be there before "end".
  EXPECT_EQ(star.seen(), (Seen{"training.completed end"}));
}

TEST_F(RabbitMqBusTest, EverySubscriberOnEveryReplicaGetsEveryMessage) {
  const auto config = config_for(url_);
  auto replica_a = connected_bus(config);
  auto replica_b = connected_bus(config);
  Recorder a1, a2, b1;
  replica_a->subscribe("training.#", a1.handler());
  replica_a->subscribe("training.#", a2.handler());
  replica_b->subscribe("training.#", b1.handler());
  Seen expected;
  for (int i = 0; i < 50; ++i) {
    auto& from = i % 2 == 0 ? replica_a : replica_b;
    from->publish("training.progress", body(std::to_string(i)));
    expected.push_back("training.progress " + std::to_string(i));
  }
  for (auto* r : {&a1, &a2, &b1}) {
    ASSERT_TRUE(r->wait_for(50)) << r->count();
  }
  // Each replica's own publishes stay in order; across two publishers only the set is fixed.
  for (auto* r : {&a1, &a2, &b1}) {
    auto seen = r->seen();
    std::sort(seen.begin(), seen.end());
    auto want = expected;
    std::sort(want.begin(), want.end());
    EXPECT_EQ(seen, want);
  }
}

TEST_F(RabbitMqBusTest, UnsubscribedHandlerIsNeverCalledAgain) {
  auto bus = connected_bus(config_for(url_));
  Recorder kept, dropped;
  bus->subscribe("training.#", kept.handler());
  const auto id = bus->subscribe("training.#", dropped.handler());
  bus->publish("training.started", body("1"));
  ASSERT_TRUE(dropped.wait_for(1));
  bus->unsubscribe(id);
  bus->publish("training.progress", body("2"));
  ASSERT_TRUE(kept.wait_for(2));  // ordered behind "2" on the same exchange
  EXPECT_EQ(dropped.count(), 1u);
}

TEST_F(RabbitMqBusTest, CountsPublishedAndConfirmedAndConnections) {
  auto bus = connected_bus(config_for(url_));
  for (int i = 0; i < 20; ++i) bus->publish("training.progress", body("x"));
  ASSERT_TRUE(integration::wait_until([&] { return bus->outbox_size() == 0; }));
  const auto text = metrics_.render();
  EXPECT_NE(text.find("levain_bus_published_total 20"), std::string::npos) << text;
  EXPECT_NE(text.find("levain_bus_confirmed_total 20"), std::string::npos) << text;
  EXPECT_NE(text.find("levain_bus_outbox_depth 0"), std::string::npos) << text;
  EXPECT_NE(text.find("levain_bus_connected{connection=\"publisher\"} 1"), std::string::npos);
  EXPECT_NE(text.find("levain_bus_connected{connection=\"consumer\"} 1"), std::string::npos);
}

TEST_F(RabbitMqBusTest, AHandlerThatThrowsDoesNotStopTheConsumer) {
  auto bus = connected_bus(config_for(url_));
  Recorder rec;
  bus->subscribe("training.#", [](const Message&) { throw std::runtime_error("boom"); });
  bus->subscribe("training.#", rec.handler());
  bus->publish("training.progress", body("1"));
  bus->publish("training.progress", body("2"));
  ASSERT_TRUE(rec.wait_for(2));
  EXPECT_TRUE(bus->healthy());
}

TEST(RabbitMqBusNoBroker, StartsUnhealthyAndKeepsABoundedOutbox) {
  common::MetricsRegistry metrics;
  auto config = config_for("amqp://guest:guest@127.0.0.1:1/%2f");  // nothing listens on port 1
  config.outbox_limit = 5;
  config.shutdown_drain = std::chrono::milliseconds(100);
  RabbitMqBus bus(config, metrics);
  Recorder rec;
  bus.subscribe("training.#", rec.handler());  // returns at once: bound when the broker comes
  EXPECT_FALSE(bus.healthy());
  for (int i = 0; i < 8; ++i) bus.publish("training.progress", body(std::to_string(i)));
  bus.publish("training.completed", body("end"));
  EXPECT_EQ(bus.outbox_size(), 5u);
  const auto text = metrics.render();
  EXPECT_NE(text.find("levain_bus_outbox_dropped_total 4"), std::string::npos) << text;
  EXPECT_NE(text.find("levain_bus_outbox_depth 5"), std::string::npos) << text;
  EXPECT_FALSE(bus.healthy());
}

TEST(RabbitMqBusNoBroker, RejectsBadConfigurationAtConstruction) {
  common::MetricsRegistry metrics;
  auto bad_url = config_for("amqps://h");
  EXPECT_THROW(RabbitMqBus(bad_url, metrics), std::invalid_argument);
  auto zero = config_for("amqp://127.0.0.1:1");
  zero.outbox_limit = 0;
  EXPECT_THROW(RabbitMqBus(zero, metrics), std::invalid_argument);
  auto ok = config_for("amqp://127.0.0.1:1");
  ok.shutdown_drain = std::chrono::milliseconds(0);
  RabbitMqBus bus(ok, metrics);
  EXPECT_THROW(bus.publish(std::string(256, 'k'), body("x")), std::invalid_argument);
  EXPECT_THROW(bus.subscribe(std::string(256, 'k'), [](const Message&) {}), std::invalid_argument);
}

}  // namespace
}  // namespace levain::bus
