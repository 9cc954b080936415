// The ETA estimator on recorded fit-time shapes, replayed through a simulated pool of `threads`
// workers that take products in order: steady fits, one slow product, history lengths that
// differ (cost follows length), on 1 and 2 threads. Each row checks the ETA given after 10% of
// the products against the real remaining time of the replay.
#include "training/progress/eta_estimator.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <queue>
#include <string>
#include <vector>

using namespace levain::training;

namespace {

struct Replay {
  std::vector<double> eta_at_done;  // ETA given right after each completion (index = done - 1)
  std::vector<double> time_at_done;
  double end = 0;
};

Replay replay(const std::vector<double>& cost, const std::vector<std::size_t>& rows,
              unsigned threads) {
  EtaEstimator eta(rows, threads);
  Replay r;
  using Running = std::pair<double, std::size_t>;  // finish time, product
  std::priority_queue<Running, std::vector<Running>, std::greater<>> running;
  std::size_t next = 0;
  double now = 0;
  auto start = [&] {
    while (running.size() < threads && next < cost.size()) {
      eta.begin(next, now);
      running.push({now + cost[next], next});
      ++next;
    }
  };
  start();
  while (!running.empty()) {
    const auto [t, i] = running.top();
    running.pop();
    now = t;
    eta.end(i, now);
    r.eta_at_done.push_back(eta.eta_s(now).value());
    r.time_at_done.push_back(now);
    start();
  }
  r.end = now;
  return r;
}

double error_at(const Replay& r, double share) {
  const auto k =
      static_cast<std::size_t>(std::ceil(share * static_cast<double>(r.eta_at_done.size())));
  const double actual = r.end - r.time_at_done[k - 1];
  return (r.eta_at_done[k - 1] - actual) / actual;
}

struct Row {
  std::string name;
  std::vector<double> cost;
  std::vector<std::size_t> rows;
  unsigned threads;
  double max_error_at_10;  // |ETA error| / remaining, after 10% of the products
};

std::vector<double> steady(std::size_t n, double c) {
  std::vector<double> v(n);
  // A little jitter, as real fits have: ±20% around c, deterministic.
  for (std::size_t i = 0; i < n; ++i) v[i] = c * (1 + 0.2 * std::sin(static_cast<double>(i) * 1.7));
  return v;
}

TEST(EtaEstimator, NoEstimateBeforeTheFirstProductAndZeroAtTheEnd) {
  EtaEstimator eta({100, 100}, 1);
  EXPECT_FALSE(eta.eta_s(0));
  eta.begin(0, 0);
  EXPECT_FALSE(eta.eta_s(0.5));
  eta.end(0, 1);
  EXPECT_NEAR(*eta.eta_s(1), 1.0, 1e-9);  // one more like the first
  eta.begin(1, 1);
  EXPECT_NEAR(*eta.eta_s(1.25), 0.75, 1e-9);  // in flight for a quarter of its predicted cost
  eta.end(1, 2);
  EXPECT_EQ(*eta.eta_s(2), 0.0);
}

TEST(EtaEstimator, TableOfRecordedShapes) {
  std::vector<std::size_t> same(200, 730);
  std::vector<std::size_t> lengths(200);
  std::vector<double> by_length(200);
  for (std::size_t i = 0; i < 200; ++i) {
    lengths[i] = 100 + (i * 37) % 900;  // 100..999 days, shuffled
    by_length[i] = 0.002 + 0.00002 * static_cast<double>(lengths[i]);
  }
  auto slow = steady(200, 0.01);
  slow[120] = 0.5;  // one product 50x the others, after the 10% checkpoint
  const std::vector<Row> rows{
      {"steady, 1 thread", steady(200, 0.01), same, 1, 0.05},
      {"steady, 2 threads", steady(200, 0.01), same, 2, 0.05},
      {"cost follows history length, 1 thread", by_length, lengths, 1, 0.10},
      {"cost follows history length, 2 threads", by_length, lengths, 2, 0.10},
      // Unforeseeable at 10%: the slow product is the whole error (0.49 s of ~1.5 s left).
      {"one slow product, 1 thread", slow, same, 1, 0.40},
      {"one slow product, 2 threads", slow, same, 2, 0.60},
  };
  for (const auto& row : rows) {
    const auto r = replay(row.cost, row.rows, row.threads);
    EXPECT_LE(std::fabs(error_at(r, 0.10)), row.max_error_at_10) << row.name;
    EXPECT_LE(std::fabs(error_at(r, 0.50)), row.max_error_at_10) << row.name;
  }
}

TEST(EtaEstimator, ASlowProductInFlightHoldsTheTailOpen) {
  // Two threads, four products; the last one runs long: the ETA never drops below what the
  // running fit still needs by the line of the others (its predicted cost).
  EtaEstimator eta({100, 100, 100, 100}, 2);
  eta.begin(0, 0);
  eta.begin(1, 0);
  eta.end(0, 1);
  eta.begin(2, 1);
  eta.end(1, 1);
  eta.begin(3, 1);
  eta.end(2, 2);
  // Product 3 began at 1, each costs 1: about 0 s left at t=2; never negative.
  EXPECT_GE(*eta.eta_s(2), 0.0);
  EXPECT_GE(*eta.eta_s(5), 0.0);
}

TEST(EtaEstimator, TheCostOfRecordingAProductCountsAsMuchAsItsFit) {
  // One thread; each product fits in 1 s and its event takes 1 s to record and publish.
  EtaEstimator eta({100, 100, 100, 100}, 1);
  eta.begin(0, 0);
  eta.end(0, 1);
  eta.recorded(0, 1);
  eta.begin(1, 2);
  EXPECT_NEAR(*eta.eta_s(2), 6.0, 1e-9);  // three more products of 2 s each
}

TEST(EtaCheck, KeepsTheFirstEtaAtEachCheckpoint) {
  EtaCheck check;
  for (std::size_t done = 1; done <= 20; ++done) {
    check.observe(done, 20, static_cast<double>(done), 100.0 - static_cast<double>(done));
  }
  const auto& p = check.points();
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[0].at_percent, 10);
  EXPECT_EQ(p[0].products_completed, 2u);
  EXPECT_EQ(p[1].products_completed, 5u);
  EXPECT_EQ(p[2].products_completed, 10u);
  EXPECT_EQ(p[3].products_completed, 15u);
  EXPECT_EQ(p[3].eta_s, 85.0);
}

}  // namespace
