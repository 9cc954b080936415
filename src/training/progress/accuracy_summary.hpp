#pragma once
/// The running accuracy of a job over the products done so far (docs/live-protocol.md,
/// "Running accuracy"): median MASE, mean MAPE, fallbacks, failures and the worst five by MASE.
/// Pure and incremental: adding a product costs O(done) at worst (an insertion into a sorted
/// vector), so a 5,000-product job stays cheap, and reading it is O(1) but for the JSON.

#include <boost/json/object.hpp>
#include <cstddef>
#include <string>
#include <vector>

#include "training/jobs/job.hpp"

namespace levain::training {

class AccuracySummary {
 public:
  void add(const ProductResult& result);
  /// {"median_mase", "mean_mape", "fallbacks", "failed", "worst": [{"product_name","mase"}…≤5]}
  boost::json::object to_json() const;
  std::size_t products() const { return products_; }

 private:
  static constexpr std::size_t kWorst = 5;
  struct Worst {
    std::string product;
    double mase;
  };
  std::vector<double> mase_sorted_;  // finite MASE of the products that succeeded
  double mape_sum_ = 0;
  std::size_t mape_count_ = 0;
  std::size_t fallbacks_ = 0, failed_ = 0, products_ = 0;
  std::vector<Worst> worst_;  // highest MASE first, at most kWorst
};

}  // namespace levain::training
