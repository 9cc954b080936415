#include "forecast/newsvendor.hpp"

#include <algorithm>
#include <cmath>

namespace levain::forecast {
namespace {

// Midpoints of this many equal slices of (0, 1): expectations of a function of demand are the
// mean over them of the function at each quantile. Deterministic, and fine enough that the
// rounding of a whole-unit bake dominates the error.
constexpr int kGrid = 400;

}  // namespace

BakeDecision plan_bake(const std::function<double(double)>& quantile, const Economics& e) {
  BakeDecision d;
  const double cost = std::max(0.0, e.unit_cost);
  const double ratio = e.price > 0 ? (e.price - cost) / e.price : 0.0;
  d.service_level = std::clamp(ratio, 0.0, 1.0 - 1e-9);
  d.median = std::max(0.0, quantile(0.5));
  const int batch = std::max(1, e.batch_size);
  double units = 0;
  if (d.service_level > 0) units = std::ceil(std::max(0.0, quantile(d.service_level)) - 1e-9);
  units = std::ceil(units / batch) * batch;
  units = std::max(units, static_cast<double>(std::max(0, e.min_batch)));
  d.quantity = static_cast<int>(std::min(units, 2e9));

  double sold = 0;
  double demand = 0;
  for (int i = 0; i < kGrid; ++i) {
    const double x = std::max(0.0, quantile((i + 0.5) / kGrid));
    demand += x;
    sold += std::min(x, static_cast<double>(d.quantity));
  }
  d.expected_sold = sold / kGrid;
  d.expected_waste = d.quantity - d.expected_sold;
  d.expected_lost_sales = std::max(0.0, demand / kGrid - d.expected_sold);
  d.expected_profit = e.price * d.expected_sold - cost * d.quantity;
  return d;
}

}  // namespace levain::forecast
