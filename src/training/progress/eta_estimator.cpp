#include "training/progress/eta_estimator.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace levain::training {

EtaEstimator::EtaEstimator(std::vector<std::size_t> rows, unsigned threads)
    : rows_(std::move(rows)),
      began_(rows_.size(), std::numeric_limits<double>::quiet_NaN()),
      ended_(rows_.size(), false),
      threads_(std::max(1u, threads)),
      not_begun_(rows_.size()) {
  for (const auto r : rows_) {
    rows_left_ += static_cast<double>(r);
    not_begun_rows_.insert(r);
  }
}

void EtaEstimator::begin(std::size_t i, double now_s) {
  if (i >= rows_.size() || !std::isnan(began_[i])) return;
  began_[i] = now_s;
  if (!first_begin_) first_begin_ = now_s;
  rows_left_ -= static_cast<double>(rows_[i]);
  not_begun_rows_.erase(not_begun_rows_.find(rows_[i]));
  --not_begun_;
  in_flight_.push_back(i);
}

void EtaEstimator::end(std::size_t i, double now_s) {
  if (i >= rows_.size() || ended_[i]) return;
  if (std::isnan(began_[i])) begin(i, now_s);
  ended_[i] = true;
  ++done_;
  in_flight_.erase(std::find(in_flight_.begin(), in_flight_.end(), i));
  const double cost = std::max(0.0, now_s - began_[i]);
  const double x = static_cast<double>(rows_[i]);
  n_ += 1;
  sx_ += x;
  sy_ += cost;
  sxx_ += x * x;
  sxy_ += x * cost;
  busy_done_ += cost;
}

void EtaEstimator::recorded(std::size_t i, double seconds) {
  if (i >= rows_.size() || !ended_[i] || !(seconds > 0)) return;
  sy_ += seconds;
  sxy_ += static_cast<double>(rows_[i]) * seconds;
  busy_done_ += seconds;
}

double EtaEstimator::predicted(double rows) const {
  const double mean = sy_ / n_;
  const double spread = n_ * sxx_ - sx_ * sx_;
  // Lengths that hardly differ say nothing about the slope: the mean cost is the better guess.
  if (n_ < 3 || spread <= 1e-9 * n_ * sxx_) return mean;
  const double b = (n_ * sxy_ - sx_ * sy_) / spread;
  if (b <= 0) return mean;  // noise, not a cost that falls with length
  const double a = (sy_ - b * sx_) / n_;
  return std::max(0.0, a + b * rows);
}

std::optional<double> EtaEstimator::eta_s(double now_s) const {
  if (done_ == 0) return std::nullopt;
  if (done_ == rows_.size()) return 0.0;
  double left = 0, longest = 0, busy = busy_done_;
  for (const auto i : in_flight_) {
    const double running = std::max(0.0, now_s - began_[i]);
    busy += running;
    const double rest = std::max(0.0, predicted(static_cast<double>(rows_[i])) - running);
    left += rest;
    longest = std::max(longest, rest);
  }
  if (not_begun_ > 0) {
    // A line summed over the products not begun needs only their count and mean length (the
    // clamp at 0 aside, which only a line through negative costs would reach).
    const double mean_rows = rows_left_ / static_cast<double>(not_begun_);
    left += static_cast<double>(not_begun_) * predicted(mean_rows);
    longest = std::max(longest, predicted(static_cast<double>(*not_begun_rows_.rbegin())));
  }
  const double wall = now_s - *first_begin_;
  // Below 1 when threads sit idle between products (waiting to be scheduled); never 0.
  double parallel = wall > 0 ? busy / wall : threads_;
  parallel = std::clamp(parallel, 0.1, static_cast<double>(threads_));
  return std::max(left / parallel, longest);
}

void EtaCheck::observe(std::size_t completed, std::size_t total, double now_s,
                       std::optional<double> eta) {
  static constexpr std::array<int, 4> kCheckpoints{10, 25, 50, 75};
  if (!eta || total == 0) return;
  for (const int pct : kCheckpoints) {
    const bool taken = std::any_of(points_.begin(), points_.end(),
                                   [&](const Point& p) { return p.at_percent == pct; });
    if (taken || completed * 100 < static_cast<std::size_t>(pct) * total) continue;
    points_.push_back({pct, completed, now_s, *eta});
  }
}

}  // namespace levain::training
