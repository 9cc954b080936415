#include "bus/in_process_bus.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

using levain::bus::InProcessBus;
using levain::bus::Message;

namespace {
std::shared_ptr<const std::string> body(std::string s) {
  return std::make_shared<const std::string>(std::move(s));
}
}  // namespace

TEST(InProcessBus, DeliversMatchingMessagesInPublishOrder) {
  InProcessBus bus;
  std::vector<std::string> seen;
  bus.subscribe("training.#", [&](const Message& m) { seen.push_back(*m.body); });
  bus.publish("training.started", body("1"));
  bus.publish("training.product.completed", body("2"));
  bus.publish("billing.started", body("x"));
  bus.publish("training.completed", body("3"));
  EXPECT_EQ(seen, (std::vector<std::string>{"1", "2", "3"}));
}

TEST(InProcessBus, EverySubscriberSeesEveryMessageAndSharesTheBody) {
  InProcessBus bus;
  const std::string* a = nullptr;
  const std::string* b = nullptr;
  bus.subscribe("training.#", [&](const Message& m) { a = m.body.get(); });
  bus.subscribe("training.#", [&](const Message& m) { b = m.body.get(); });
  bus.publish("training.started", body("payload"));
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a, b);  // one buffer, not a copy per subscriber
}

TEST(InProcessBus, UnsubscribeStopsDeliveryEvenFromInsideAHandler) {
  InProcessBus bus;
  int calls = 0;
  std::uint64_t id = 0;
  id = bus.subscribe("#", [&](const Message&) {
    ++calls;
    bus.unsubscribe(id);
  });
  bus.publish("a", body("1"));
  bus.publish("a", body("2"));
  EXPECT_EQ(calls, 1);
}

TEST(InProcessBus, ConcurrentPublishersLoseNothing) {
  InProcessBus bus;
  std::atomic<int> received{0};
  bus.subscribe("training.#", [&](const Message&) { received.fetch_add(1); });
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) bus.publish("training.progress", body("p"));
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(received.load(), 4000);
}
