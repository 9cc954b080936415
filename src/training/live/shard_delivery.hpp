#pragma once
/// The fan-out's last step (ConnectionManager::Dispatch): one event's watchers, grouped by the
/// I/O thread they live on, reach each thread as one queued batch. The first event of a run
/// posts one drain to the thread; the drain gathers, per watcher, the events queued meanwhile
/// (pointers to the shared buffers), then takes the watchers one by one: its events into its
/// send queue, then one flush. A burst of k events costs a thread one post and each watcher one
/// send, a steady event one post per thread, not one per watcher; and only one watcher at a time
/// holds framed copies not yet handed to the kernel (event-major order had every watcher of the
/// thread holding the whole burst: 0.5 GB at 1,000 watchers). Once every thread has flushed an
/// event's watchers, `levain_fanout_seconds` observes the time since the event came off the bus.

#include <boost/asio/io_context.hpp>
#include <memory>
#include <mutex>
#include <vector>

#include "common/io_pool.hpp"
#include "common/metrics.hpp"
#include "training/live/connection_manager.hpp"

namespace levain::training {

class ShardDelivery final : public ConnectionManager::Dispatch {
 public:
  /// The pool's contexts must outlive this object; `fanout_seconds` is levain_fanout_seconds.
  ShardDelivery(common::IoPool& pool, common::Histogram& fanout_seconds);
  ~ShardDelivery() override;
  ShardDelivery(const ShardDelivery&) = delete;
  ShardDelivery& operator=(const ShardDelivery&) = delete;

  std::size_t shards() const override { return shards_.size(); }
  void deliver(const EventPtr& event, std::vector<SinkList>&& by_shard) override;

 private:
  /// Counts down the threads an event still has to reach.
  struct Countdown {
    std::atomic<std::size_t> left;
    std::chrono::steady_clock::time_point arrived;
  };
  struct Batch {
    EventPtr event;
    SinkList sinks;
    std::shared_ptr<Countdown> countdown;
  };
  struct Shard {
    explicit Shard(boost::asio::io_context& context) : executor(context.get_executor()) {}
    boost::asio::io_context::executor_type executor;
    std::mutex mutex;
    std::vector<Batch> inbox;     // guarded by mutex
    bool posted = false;          // guarded by mutex: a drain is on its way
    std::vector<Batch> draining;  // the thread's own
    /// The thread's own: per sink of the drain (LiveSink::batch_slot), its events in order.
    struct Pending {
      LiveSink* sink = nullptr;
      std::vector<const EventPtr*> events;
    };
    std::vector<Pending> pending;
  };

  void drain(Shard& shard);
  void observe(std::chrono::steady_clock::time_point arrived);

  std::vector<std::unique_ptr<Shard>> shards_;
  common::Histogram& fanout_seconds_;
};

}  // namespace levain::training
