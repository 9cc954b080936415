#include "common/heap_stats.hpp"

#include <gtest/gtest.h>

#include <memory>

namespace levain::common {
namespace {

TEST(HeapStats, CountsWhatIsAllocatedAndNotWhatWasFreed) {
  constexpr std::int64_t kBlock = 4 << 20;
  const auto before = heap_allocated_bytes();
  auto block = std::make_unique<char[]>(kBlock);
  block[kBlock - 1] = 1;  // used, so the allocation is not elided
  const auto during = heap_allocated_bytes();
  EXPECT_GE(during - before, kBlock);
  block.reset();
  EXPECT_LT(heap_allocated_bytes(), during - kBlock / 2);
}

TEST(HeapStats, IsAGaugeOnMetrics) {
  MetricsRegistry m;
  register_heap_metrics(m);
  EXPECT_NE(m.render().find("# TYPE levain_heap_allocated_bytes gauge\n"), std::string::npos);
}

}  // namespace
}  // namespace levain::common
