#pragma once
/// Synthetic bakery sales for demos and tests (`levain demo-data`): weekly and yearly patterns,
/// Spanish holidays, trends, count noise and intermittent products, reproducible from a seed.

#include <cstdint>
#include <ostream>

#include "forecast/types.hpp"

namespace levain::forecast {

struct DemoDataOptions {
  int products = 20;   // 1..5000
  int days = 3 * 365;  // 1..20000, ending on `end`
  std::uint64_t seed = 42;
  Date end = Date{std::chrono::year{2026} / 11 / 26};
};

/// Writes `date,product,quantity` rows (header first, dates ascending, products in a fixed
/// order). The same options give the same bytes: the generator is std::mt19937_64 and every
/// distribution is implemented here rather than taken from the standard library, whose
/// algorithms differ between implementations. Throws std::invalid_argument on bad options.
void write_demo_csv(std::ostream& out, const DemoDataOptions& options);

}  // namespace levain::forecast
