#pragma once
/// Starts one step per client (a connect, an upgrade) from a list, keeping at most `limit`
/// under way and at most `rate` per second. Thread-safe: completions on any I/O thread call
/// done(), which starts the next ones; a timer calls pump() while the rate holds steps back.

#include <chrono>
#include <cmath>
#include <functional>
#include <mutex>
#include <vector>

namespace levain::loadgen {

class Pump {
 public:
  using Launch = std::function<void(std::size_t client)>;

  /// Replaces any previous list. `rate` <= 0: no rate limit.
  void start(std::vector<std::size_t> order, std::size_t limit, double rate, Launch launch) {
    std::lock_guard lock(mutex_);
    order_ = std::move(order);
    next_ = 0;
    in_flight_ = 0;
    limit_ = limit == 0 ? 1 : limit;
    rate_ = rate;
    started_ = std::chrono::steady_clock::now();
    launch_ = std::move(launch);
  }

  /// Launches what the limits allow now. Launch is called outside the lock.
  void pump() {
    std::vector<std::size_t> due;
    Launch launch;
    {
      std::lock_guard lock(mutex_);
      if (stopped_) return;
      std::size_t allowed = order_.size();
      if (rate_ > 0) {
        const double elapsed =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
        allowed = std::min(allowed, static_cast<std::size_t>(std::floor(elapsed * rate_)) + 1);
      }
      while (next_ < allowed && in_flight_ < limit_) {
        due.push_back(order_[next_++]);
        ++in_flight_;
      }
      launch = launch_;
    }
    for (const auto client : due) launch(client);
  }

  /// One launched step finished (successfully or not).
  void done() {
    {
      std::lock_guard lock(mutex_);
      if (in_flight_ > 0) --in_flight_;
    }
    pump();
  }

  void stop() {
    std::lock_guard lock(mutex_);
    stopped_ = true;
  }

  bool all_launched() const {
    std::lock_guard lock(mutex_);
    return stopped_ || next_ >= order_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::size_t> order_;
  std::size_t next_ = 0;
  std::size_t in_flight_ = 0;
  std::size_t limit_ = 1;
  double rate_ = 0;
  std::chrono::steady_clock::time_point started_;
  Launch launch_;
  bool stopped_ = false;
};

}  // namespace levain::loadgen
