#include "training/live/shard_delivery.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <future>
#include <thread>

using namespace levain::training;
using levain::common::Histogram;
using levain::common::IoPool;

namespace {

/// Events delivered and not yet flushed, per shard (each touched by its own thread only), and
/// the most there ever were: a drain that goes sink by sink never has more than one sink's.
struct Unflushed {
  int now[2] = {0, 0};
  int most[2] = {0, 0};
};

/// Records what reaches it and on which thread; flush() counts.
struct ThreadSink : LiveSink {
  explicit ThreadSink(std::size_t s, Unflushed* u = nullptr) : shard_(s), unflushed(u) {}
  std::size_t shard() const override { return shard_; }
  void deliver(const EventPtr& e) override {
    seqs.push_back(e->seq);
    threads.push_back(std::this_thread::get_id());
    if (unflushed) {
      auto& now = unflushed->now[shard_];
      unflushed->most[shard_] = std::max(unflushed->most[shard_], ++now);
      ++held;
    }
  }
  void flush() override {
    ++flushes;
    if (unflushed) unflushed->now[shard_] -= held;
    held = 0;
  }
  void shutdown(std::uint16_t, const std::string&) override {}
  std::size_t shard_;
  Unflushed* unflushed;
  int held = 0;
  std::vector<std::uint64_t> seqs;
  std::vector<std::thread::id> threads;
  int flushes = 0;
};

EventPtr event(std::uint64_t seq) {
  return std::make_shared<const OutboundEvent>(
      OutboundEvent{seq, false, "progress", std::make_shared<const std::string>("{}"),
                    std::chrono::steady_clock::now()});
}

std::thread::id thread_of(IoPool& pool, std::size_t shard) {
  std::promise<std::thread::id> id;
  boost::asio::post(pool.context(shard), [&] { id.set_value(std::this_thread::get_id()); });
  return id.get_future().get();
}

/// Runs `f` on the shard's thread and waits for it: after it, every drain posted before ran.
void on_shard(
    IoPool& pool, std::size_t shard, const std::function<void()>& f = [] {}) {
  std::promise<void> done;
  boost::asio::post(pool.context(shard), [&] {
    f();
    done.set_value();
  });
  done.get_future().get();
}

/// A running pool of `threads` I/O threads and a manager that delivers through them.
struct Fanout {
  explicit Fanout(unsigned threads) : pool(threads), delivery(pool, fanout) {
    pool.run();
    manager.set_dispatch(&delivery);
  }
  ~Fanout() { pool.stop(); }
  IoPool pool;
  Histogram fanout{{0.001, 1}};
  ShardDelivery delivery;
  ConnectionManager manager;
};

TEST(ShardDelivery, EachSinkGetsItsEventsInOrderOnItsOwnThreadAndABurstFlushesOnce) {
  Fanout f(2);
  auto& [pool, fanout, delivery, manager] = f;
  std::vector<std::shared_ptr<ThreadSink>> sinks;
  Unflushed unflushed;
  for (std::size_t i = 0; i < 6; ++i) {
    sinks.push_back(std::make_shared<ThreadSink>(i % 2, &unflushed));
    ASSERT_TRUE(manager.join("j", sinks.back()));
  }
  const std::thread::id ids[2] = {thread_of(pool, 0), thread_of(pool, 1)};

  // Both threads held: the five events queue up and reach each thread as one batch.
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  for (std::size_t s = 0; s < 2; ++s) {
    boost::asio::post(pool.context(s), [gate] { gate.wait(); });
  }
  for (std::uint64_t seq = 1; seq <= 5; ++seq) manager.broadcast("j", event(seq));
  EXPECT_EQ(fanout.count(), 0u) << "nothing is observed before its watchers were flushed";
  release.set_value();
  on_shard(pool, 0);
  on_shard(pool, 1);

  for (const auto& s : sinks) {
    EXPECT_EQ(s->seqs, (std::vector<std::uint64_t>{1, 2, 3, 4, 5}));
    for (const auto& t : s->threads) EXPECT_EQ(t, ids[s->shard()]);
    EXPECT_EQ(s->flushes, 1) << "one flush for the batch, not one per event";
  }
  EXPECT_EQ(fanout.count(), 5u) << "one observation per event, once both threads were done";
  // Sink by sink: a burst is held framed by one watcher at a time, not by all of them at once.
  EXPECT_EQ(unflushed.most[0], 5);
  EXPECT_EQ(unflushed.most[1], 5);
}

TEST(ShardDelivery, AnEventNobodyWatchesIsObservedAtOnceAndASingleShardOnlyPostsThere) {
  Fanout f(2);
  auto& [pool, fanout, delivery, manager] = f;
  manager.broadcast("nobody", event(1));
  EXPECT_EQ(fanout.count(), 1u);

  auto only = std::make_shared<ThreadSink>(1);
  ASSERT_TRUE(manager.join("j", only));
  manager.broadcast("j", event(1));
  on_shard(pool, 1);
  EXPECT_EQ(only->seqs, (std::vector<std::uint64_t>{1}));
  EXPECT_EQ(only->flushes, 1);
  EXPECT_EQ(fanout.count(), 2u);
}

TEST(ShardDelivery, ASinkThatLeftMidBurstIsKeptAliveUntilItsBatchIsDone) {
  Fanout f(1);
  auto& [pool, fanout, delivery, manager] = f;
  auto sink = std::make_shared<ThreadSink>(0);
  std::weak_ptr<ThreadSink> watch = sink;
  ASSERT_TRUE(manager.join("j", sink));
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  boost::asio::post(pool.context(0), [gate] { gate.wait(); });
  manager.broadcast("j", event(1));
  manager.leave("j", sink.get());
  sink.reset();
  EXPECT_FALSE(watch.expired()) << "the queued batch owns it";
  release.set_value();
  on_shard(pool, 0);
  EXPECT_TRUE(watch.expired());
  EXPECT_EQ(fanout.count(), 1u);
}

}  // namespace
