#include "loadgen/percentiles.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace levain::loadgen {
namespace {

std::vector<std::int64_t> one_to(std::int64_t n) {
  std::vector<std::int64_t> v(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = i + 1;
  return v;
}

TEST(Percentiles, NearestRankOnOneToAThousand) {
  const auto v = one_to(1000);
  EXPECT_EQ(nearest_rank(v, 0.50), 500);
  EXPECT_EQ(nearest_rank(v, 0.90), 900);
  EXPECT_EQ(nearest_rank(v, 0.99), 990);
  EXPECT_EQ(nearest_rank(v, 0.999), 999);  // not 1000: 0.999 × 1000 is exactly a rank
  EXPECT_EQ(nearest_rank(v, 1.0), 1000);
}

TEST(Percentiles, SmallSamplesRoundTheRankUp) {
  const auto v = one_to(10);
  EXPECT_EQ(nearest_rank(v, 0.50), 5);
  EXPECT_EQ(nearest_rank(v, 0.90), 9);
  EXPECT_EQ(nearest_rank(v, 0.99), 10);
  EXPECT_EQ(nearest_rank(v, 0.001), 1);
  const std::vector<std::int64_t> single{42};
  EXPECT_EQ(nearest_rank(single, 0.5), 42);
  EXPECT_EQ(nearest_rank(single, 0.999), 42);
}

TEST(Percentiles, RejectsNoSamplesAndBadQuantiles) {
  EXPECT_THROW(nearest_rank({}, 0.5), std::invalid_argument);
  const auto v = one_to(3);
  EXPECT_THROW(nearest_rank(v, 0.0), std::invalid_argument);
  EXPECT_THROW(nearest_rank(v, 1.5), std::invalid_argument);
}

TEST(Percentiles, SummaryIsInMillisecondsWhateverTheInputOrder) {
  auto v = one_to(1000);
  for (auto& x : v) x *= 1000;  // 1..1000 ms in microseconds
  std::shuffle(v.begin(), v.end(), std::mt19937(7));
  const auto s = summarize_latency(v);
  EXPECT_EQ(s.samples, 1000u);
  EXPECT_DOUBLE_EQ(s.p50_ms, 500.0);
  EXPECT_DOUBLE_EQ(s.p90_ms, 900.0);
  EXPECT_DOUBLE_EQ(s.p99_ms, 990.0);
  EXPECT_DOUBLE_EQ(s.p999_ms, 999.0);
  EXPECT_DOUBLE_EQ(s.max_ms, 1000.0);
  EXPECT_DOUBLE_EQ(s.mean_ms, 500.5);
}

TEST(Percentiles, OneSlowMessageShowsOnlyInTheTail) {
  std::vector<std::int64_t> v(10000, 200);  // 0.2 ms
  v[1234] = 75000;                          // one at 75 ms
  const auto s = summarize_latency(v);
  EXPECT_DOUBLE_EQ(s.p99_ms, 0.2);
  EXPECT_DOUBLE_EQ(s.p999_ms, 0.2);
  EXPECT_DOUBLE_EQ(s.max_ms, 75.0);
}

TEST(Percentiles, NoSamplesGiveAnEmptySummary) {
  std::vector<std::int64_t> none;
  const auto s = summarize_latency(none);
  EXPECT_EQ(s.samples, 0u);
  EXPECT_EQ(s.max_ms, 0.0);
}

TEST(Percentiles, ClockSkewKeepsNegativeValues) {
  std::vector<std::int64_t> v{-300, 100, 200};
  const auto s = summarize_latency(v);
  EXPECT_DOUBLE_EQ(s.p50_ms, 0.1);
  EXPECT_DOUBLE_EQ(nearest_rank(v, 0.01), -300);
}

}  // namespace
}  // namespace levain::loadgen
