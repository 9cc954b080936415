#include "common/metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

namespace levain::common {

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)),
      counts_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1)) {
  std::sort(bounds_.begin(), bounds_.end());
}

void Histogram::observe(double v) {
  if (!std::isfinite(v)) return;
  const auto it = std::lower_bound(bounds_.begin(), bounds_.end(), v);
  counts_[static_cast<std::size_t>(it - bounds_.begin())].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_nanos_.fetch_add(static_cast<std::uint64_t>(std::max(0.0, v) * 1e9),
                       std::memory_order_relaxed);
}

double Histogram::sum() const {
  return static_cast<double>(sum_nanos_.load(std::memory_order_relaxed)) / 1e9;
}

MetricsRegistry::Entry& MetricsRegistry::add(const std::string& name, const std::string& help,
                                             const std::string& labels, Kind k) {
  std::lock_guard lock(mutex_);
  auto& e = entries_.emplace_back();
  e.name = name;
  e.help = help;
  e.labels = labels;
  e.kind = k;
  return e;
}

Counter& MetricsRegistry::counter(const std::string& name, const std::string& help,
                                  const std::string& labels) {
  return add(name, help, labels, Kind::counter).counter;
}

Gauge& MetricsRegistry::gauge(const std::string& name, const std::string& help,
                              const std::string& labels) {
  return add(name, help, labels, Kind::gauge).gauge;
}

Histogram& MetricsRegistry::histogram(const std::string& name, const std::string& help,
                                      std::vector<double> upper_bounds) {
  auto& e = add(name, help, "", Kind::histogram);
  e.histogram = std::make_unique<Histogram>(std::move(upper_bounds));
  return *e.histogram;
}

void MetricsRegistry::sampled_gauge(const std::string& name, const std::string& help,
                                    std::function<std::int64_t()> sample) {
  auto& e = add(name, help, "", Kind::gauge);
  std::lock_guard lock(mutex_);  // render() reads it under the same lock
  e.sample = std::move(sample);
}

void MetricsRegistry::sampled_counter(const std::string& name, const std::string& help,
                                      std::function<std::int64_t()> sample) {
  auto& e = add(name, help, "", Kind::counter);
  std::lock_guard lock(mutex_);
  e.sample = std::move(sample);
}

std::string MetricsRegistry::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  std::set<std::string> described;
  for (const auto& e : entries_) {
    if (described.insert(e.name).second) {
      static constexpr const char* kType[] = {"counter", "gauge", "histogram"};
      out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", e.name, e.help, e.name,
                         kType[static_cast<int>(e.kind)]);
    }
    const std::string lbl = e.labels.empty() ? "" : "{" + e.labels + "}";
    switch (e.kind) {
      case Kind::counter:
        out += fmt::format("{}{} {}\n", e.name, lbl,
                           e.sample ? static_cast<std::uint64_t>(e.sample()) : e.counter.value());
        break;
      case Kind::gauge:
        out += fmt::format("{}{} {}\n", e.name, lbl, e.sample ? e.sample() : e.gauge.value());
        break;
      case Kind::histogram: {
        const auto& h = *e.histogram;
        std::uint64_t cumulative = 0;
        for (std::size_t i = 0; i < h.bounds().size(); ++i) {
          cumulative += h.bucket(i);
          out += fmt::format("{}_bucket{{le=\"{}\"}} {}\n", e.name, h.bounds()[i], cumulative);
        }
        cumulative += h.bucket(h.bounds().size());
        out += fmt::format("{}_bucket{{le=\"+Inf\"}} {}\n", e.name, cumulative);
        out += fmt::format("{}_sum {}\n{}_count {}\n", e.name, h.sum(), e.name, h.count());
        break;
      }
    }
  }
  return out;
}

}  // namespace levain::common
