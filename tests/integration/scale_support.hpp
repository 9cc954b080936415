#pragma once
/// Helpers of the scale tests: reading samples from the service's /metrics (Prometheus text),
/// a background sampler that keeps the largest value a gauge showed during a run, and a watcher
/// configuration for the load generator's engine aimed at a test server.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>

#include "loadgen/watchers.hpp"

namespace levain::integration {

/// The value of `sample` ("name" or "name{labels}" exactly as rendered) in Prometheus text.
std::optional<double> metric_value(const std::string& text, const std::string& sample);

/// GET /metrics and read `sample`; throws std::runtime_error naming what is missing.
double scrape(std::uint16_t port, const std::string& sample);

/// Polls `sample` on a background thread until stop(), keeping the largest value seen.
class MetricSampler {
 public:
  MetricSampler(std::uint16_t port, std::string sample);
  ~MetricSampler();
  MetricSampler(const MetricSampler&) = delete;
  MetricSampler& operator=(const MetricSampler&) = delete;

  void stop();
  double max() const { return max_.load(); }
  std::size_t samples() const { return samples_.load(); }

 private:
  std::uint16_t port_;
  std::string sample_;
  std::atomic<bool> stopping_{false};
  std::atomic<double> max_{0};
  std::atomic<std::size_t> samples_{0};
  std::thread thread_;
};

/// `clients` watchers of `target` (path + query) on 127.0.0.1:port, one I/O thread.
loadgen::WatchersConfig watchers_of(std::uint16_t port, const std::string& target, int clients,
                                    std::chrono::seconds deadline = std::chrono::seconds(300));

}  // namespace levain::integration
