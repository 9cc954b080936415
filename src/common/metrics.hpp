#pragma once
/// Prometheus text-format metrics: lock-free counters, gauges and histograms registered once at
/// start-up and rendered on /metrics. Hand-written because Debian ships no Prometheus client for
/// C++ and the text format is small; every update is a relaxed atomic on the hot path.

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace levain::common {

class Counter {
 public:
  void inc(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Gauge {
 public:
  void add(std::int64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  void sub(std::int64_t n = 1) { value_.fetch_sub(n, std::memory_order_relaxed); }
  void set(std::int64_t n) { value_.store(n, std::memory_order_relaxed); }
  std::int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> value_{0};
};

/// Cumulative buckets with fixed upper bounds (seconds or any unit the name says).
class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void observe(double v);
  const std::vector<double>& bounds() const { return bounds_; }
  std::uint64_t bucket(std::size_t i) const { return counts_[i].load(std::memory_order_relaxed); }
  std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_nanos_{0};  // sum kept in 1e-9 units so it stays an integer atomic
};

/// Owns every metric; references handed out stay valid for the registry's lifetime.
class MetricsRegistry {
 public:
  /// `labels` is the inside of the braces, e.g. `status="running"`, or empty.
  Counter& counter(const std::string& name, const std::string& help,
                   const std::string& labels = "");
  Gauge& gauge(const std::string& name, const std::string& help, const std::string& labels = "");
  Histogram& histogram(const std::string& name, const std::string& help,
                       std::vector<double> upper_bounds);
  /// A gauge read by `sample` at each render (a process statistic nobody updates as it changes).
  void sampled_gauge(const std::string& name, const std::string& help,
                     std::function<std::int64_t()> sample);
  /// A counter read by `sample` at each render (one kept by a part that knows no registry).
  void sampled_counter(const std::string& name, const std::string& help,
                       std::function<std::int64_t()> sample);
  std::string render() const;

 private:
  enum class Kind { counter, gauge, histogram };
  struct Entry {
    std::string name, help, labels;
    Kind kind;
    Counter counter;
    Gauge gauge;
    std::unique_ptr<Histogram> histogram;
    std::function<std::int64_t()> sample;  // sampled gauges and counters only
  };
  Entry& add(const std::string& name, const std::string& help, const std::string& labels, Kind k);

  mutable std::mutex mutex_;
  std::deque<Entry> entries_;  // deque: registration never moves existing entries
};

}  // namespace levain::common
