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
  // Every sink gathered here is owned by a batch in `draining` until the end.
  std::size_t used = 0;
  for (const auto& batch : shard.draining) {
    for (const auto& sink : batch.sinks) {
      if (sink->batch_slot == LiveSink::kNoSlot) {
        sink->batch_slot = static_cast<std::uint32_t>(used++);
        if (shard.pending.size() < used) shard.pending.emplace_back();
        shard.pending[sink->batch_slot].sink = sink.get();
      }
      shard.pending[sink->batch_slot].events.push_back(&batch.event);
    }
  }
  for (std::size_t i = 0; i < used; ++i) {
    auto& p = shard.pending[i];
    for (const auto* event : p.events) p.sink->deliver(*event);
    p.sink->flush();
    p.sink->batch_slot = LiveSink::kNoSlot;
    p.sink = nullptr;
    p.events.clear();
    if (p.events.capacity() > 64) std::vector<const EventPtr*>().swap(p.events);
  }
  for (const auto& batch : shard.draining) {
    if (batch.countdown->left.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      observe(batch.countdown->arrived);
    }
  }
  shard.draining.clear();
}

}  // namespace levain::training
