#include "training/live/shard_delivery.hpp"

#include <boost/asio/post.hpp>

namespace levain::training {

namespace net = boost::asio;
using Clock = std::chrono::steady_clock;

ShardDelivery::ShardDelivery(common::IoPool& pool, common::Histogram& fanout_seconds)
    : fanout_seconds_(fanout_seconds) {
  for (std::size_t i = 0; i < pool.size(); ++i) {
    shards_.push_back(std::make_unique<Shard>(pool.context(i)));
  }
}

ShardDelivery::~ShardDelivery() = default;

void ShardDelivery::observe(Clock::time_point arrived) {
  fanout_seconds_.observe(std::chrono::duration<double>(Clock::now() - arrived).count());
}

void ShardDelivery::deliver(const EventPtr& event, std::vector<SinkList>&& by_shard) {
  std::size_t busy = 0;
  for (const auto& sinks : by_shard) busy += sinks.empty() ? 0 : 1;
  if (busy == 0) return observe(event->arrived);  // nobody watches: done as it arrived
  auto countdown = std::make_shared<Countdown>();
  countdown->left.store(busy, std::memory_order_relaxed);
  countdown->arrived = event->arrived;
  for (std::size_t i = 0; i < by_shard.size() && i < shards_.size(); ++i) {
    if (by_shard[i].empty()) continue;
    auto& shard = *shards_[i];
    {
      std::lock_guard lock(shard.mutex);
      shard.inbox.push_back(Batch{event, std::move(by_shard[i]), countdown});
      if (shard.posted) continue;
      shard.posted = true;
    }
    net::post(shard.executor, [this, &shard] { drain(shard); });
  }
}

void ShardDelivery::drain(Shard& shard) {
  {
    std::lock_guard lock(shard.mutex);
    shard.draining.swap(shard.inbox);
    shard.posted = false;
  }
  for (const auto& batch : shard.draining) {
    for (const auto& sink : batch.sinks) {
      sink->deliver(batch.event);
      if (!sink->batch_mark) {
        sink->batch_mark = true;
        shard.flushing.push_back(sink.get());
      }
    }
  }
  // Every sink in `flushing` is still owned by a batch in `draining`.
  for (auto* sink : shard.flushing) {
    sink->batch_mark = false;
    sink->flush();
  }
  shard.flushing.clear();
  for (const auto& batch : shard.draining) {
    if (batch.countdown->left.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      observe(batch.countdown->arrived);
    }
  }
  shard.draining.clear();
}

}  // namespace levain::training
