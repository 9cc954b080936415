#pragma once
/// Helpers of the broker-backed bus tests: a thread-safe recorder of deliveries, a config with an
/// exchange of the test's own (parallel tests share the fixture's broker), and polling waits.

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "bus/event_bus.hpp"
#include "bus/rabbitmq_config.hpp"
#include "harness/wait.hpp"

namespace levain::bus::bustest {

class Recorder {
 public:
  Handler handler() {
    return [this](const Message& m) {
      std::lock_guard lock(mutex_);
      seen_.push_back(m.routing_key + " " + *m.body);
    };
  }
  std::vector<std::string> seen() const {
    std::lock_guard lock(mutex_);
    return seen_;
  }
  std::size_t count() const {
    std::lock_guard lock(mutex_);
    return seen_.size();
  }
  /// True once at least `n` deliveries arrived (generous deadline: the broker may be busy).
  bool wait_for(std::size_t n) const {
    return integration::wait_until([&] { return count() >= n; });
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> seen_;
};

inline RabbitMqConfig config_for(const std::string& url) {
  static std::atomic<int> counter{0};
  RabbitMqConfig c;
  c.url = url;
  c.exchange = "test." + std::to_string(::getpid()) + "." + std::to_string(counter++);
  c.backoff_initial = std::chrono::milliseconds(50);
  c.backoff_max = std::chrono::milliseconds(1000);
  c.heartbeat = std::chrono::seconds(5);
  return c;
}

/// The value of one series in Prometheus text (`name` or `name{labels}`); -1 when absent.
inline double metric_value(const std::string& text, const std::string& series) {
  const auto at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 2));
}

inline std::shared_ptr<const std::string> body(std::string s) {
  return std::make_shared<const std::string>(std::move(s));
}

}  // namespace levain::bus::bustest
