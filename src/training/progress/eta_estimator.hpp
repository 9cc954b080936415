#pragma once
/// How long a job has left, from what its own products cost so far (docs/live-protocol.md, "ETA").
/// Pure: the caller passes the clock, so the estimator runs the same on recorded timings.
///
/// A product's cost is the busy time of one training thread: its fit, the model's save and the
/// recording of its event. Costs are modelled as a + b × history length (least squares over the
/// products done; their mean while the lengths do not differ), so a remaining long series is not
/// priced like a short one. The job's parallelism is measured, not assumed: busy thread-seconds
/// per wall second so far, which is the thread count on an idle machine and less when the
/// threads share cores with other work or wait on the serial recording. The ETA is the remaining
/// predicted cost over that parallelism, and never less than the longest single product left
/// (the tail runs on one thread).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <vector>

namespace levain::training {

class EtaEstimator {
 public:
  /// `rows[i]`: the history length (days) of product i; `threads`: fits that run at once.
  EtaEstimator(std::vector<std::size_t> rows, unsigned threads);

  /// Product `i`'s fit began at `now_s` (seconds on any steady clock).
  void begin(std::size_t i, double now_s);
  /// Product `i`'s fit and save are done at `now_s` (the ETA then given goes on its event).
  void end(std::size_t i, double now_s);
  /// Product `i`'s event took `seconds` more to record and publish, on the same thread: part of
  /// its cost (without it a job whose events cost as much as its fits looks twice as fast).
  void recorded(std::size_t i, double seconds);

  /// Seconds left at `now_s`; nullopt before any product is done.
  std::optional<double> eta_s(double now_s) const;

  std::size_t done() const { return done_; }
  std::size_t total() const { return rows_.size(); }

 private:
  double predicted(double rows) const;

  std::vector<std::size_t> rows_;
  std::vector<double> began_;  // NaN: not begun
  std::vector<bool> ended_;
  unsigned threads_;
  std::size_t done_ = 0;
  std::optional<double> first_begin_;
  // Sums over the products done, for the least-squares line cost = a + b × rows.
  double n_ = 0, sx_ = 0, sy_ = 0, sxx_ = 0, sxy_ = 0;
  double busy_done_ = 0;  // thread-seconds of the products done
  double rows_left_ = 0;  // history days of the products not begun
  std::size_t not_begun_ = 0;
  std::multiset<std::size_t> not_begun_rows_;  // for the longest product left
  std::vector<std::size_t> in_flight_;         // at most the thread count
};

/// The ETA given at 10%, 25%, 50% and 75% of the products, checked against the real end.
class EtaCheck {
 public:
  struct Point {
    int at_percent;
    std::size_t products_completed;
    double at_s;   // when it was given
    double eta_s;  // what was given
  };
  /// After product `completed` of `total` is done at `now_s` with the ETA then given (nullopt:
  /// none): keeps the first ETA at or past each checkpoint.
  void observe(std::size_t completed, std::size_t total, double now_s, std::optional<double> eta);
  const std::vector<Point>& points() const { return points_; }

 private:
  std::vector<Point> points_;
};

}  // namespace levain::training
