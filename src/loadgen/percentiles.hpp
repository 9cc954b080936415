#pragma once
/// Latency percentiles of a whole run. Exact (nearest-rank over every sample), because the
/// interesting numbers are the tail ones (p99.9, max) that bucketed histograms blur.

#include <cstdint>
#include <vector>

namespace levain::loadgen {

struct LatencySummary {
  std::size_t samples = 0;  // 0: no latency was measured and the other fields are 0
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, p999_ms = 0, max_ms = 0, mean_ms = 0;
};

/// The nearest-rank q-quantile (0 < q <= 1) of an ascending, non-empty vector: the smallest
/// sample with at least q × n samples at or below it.
std::int64_t nearest_rank(const std::vector<std::int64_t>& sorted, double q);

/// Sorts `samples_us` (microseconds; negative values are clock skew and kept as they are) and
/// summarises them in milliseconds.
LatencySummary summarize_latency(std::vector<std::int64_t>& samples_us);

}  // namespace levain::loadgen
