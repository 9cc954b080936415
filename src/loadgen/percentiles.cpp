#include "loadgen/percentiles.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace levain::loadgen {

std::int64_t nearest_rank(const std::vector<std::int64_t>& sorted, double q) {
  if (sorted.empty()) throw std::invalid_argument("nearest_rank of no samples");
  if (!(q > 0.0) || q > 1.0) throw std::invalid_argument("quantile must be in (0, 1]");
  // ceil(q × n) as a 1-based rank; the epsilon keeps 0.999 × 1000 at rank 999, not 1000.
  const double rank = std::ceil(q * static_cast<double>(sorted.size()) - 1e-9);
  const auto index = static_cast<std::size_t>(std::max(rank, 1.0)) - 1;
  return sorted[std::min(index, sorted.size() - 1)];
}

LatencySummary summarize_latency(std::vector<std::int64_t>& samples_us) {
  LatencySummary summary;
  if (samples_us.empty()) return summary;
  std::sort(samples_us.begin(), samples_us.end());
  const auto ms = [](std::int64_t us) { return static_cast<double>(us) / 1000.0; };
  summary.samples = samples_us.size();
  summary.p50_ms = ms(nearest_rank(samples_us, 0.50));
  summary.p90_ms = ms(nearest_rank(samples_us, 0.90));
  summary.p99_ms = ms(nearest_rank(samples_us, 0.99));
  summary.p999_ms = ms(nearest_rank(samples_us, 0.999));
  summary.max_ms = ms(samples_us.back());
  long double sum = 0;
  for (const auto v : samples_us) sum += v;
  summary.mean_ms = static_cast<double>(sum / samples_us.size()) / 1000.0;
  return summary;
}

}  // namespace levain::loadgen
