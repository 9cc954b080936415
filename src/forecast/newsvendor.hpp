#pragma once
/// How much to bake of one product for one day (the newsvendor problem): bake the demand
/// quantile at the critical ratio (price - cost) / price, rounded up to whole batches and at
/// least the minimum batch, and the expected outcome of that bake under the forecast
/// distribution. Pure computation.

#include <functional>

namespace levain::forecast {

struct Economics {
  double unit_cost = 0;  // what one unit costs to bake, >= 0
  double price = 0;      // what one unit sells for, > 0
  int min_batch = 0;     // bake at least this many, >= 0
  int batch_size = 1;    // bake in multiples of this, >= 1
};

struct BakeDecision {
  int quantity = 0;                // whole units
  double service_level = 0;        // the critical ratio used, clamped to [0, 1)
  double median = 0;               // the forecast's median demand
  double expected_sold = 0;        // E[min(demand, quantity)]
  double expected_waste = 0;       // E[max(quantity - demand, 0)]
  double expected_lost_sales = 0;  // E[max(demand - quantity, 0)]
  double expected_profit = 0;      // price * expected_sold - unit_cost * quantity
};

/// `quantile(p)` is the day's demand quantile for 0 < p < 1 (monotone, non-negative).
BakeDecision plan_bake(const std::function<double(double)>& quantile, const Economics& economics);

}  // namespace levain::forecast
