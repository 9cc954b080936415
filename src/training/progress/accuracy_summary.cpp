#include "training/progress/accuracy_summary.hpp"

#include <algorithm>
#include <cmath>

#include "training/jobs/job_json.hpp"

namespace levain::training {

void AccuracySummary::add(const ProductResult& result) {
  ++products_;
  if (result.status != "succeeded") {
    ++failed_;
    return;
  }
  if (result.fallback) ++fallbacks_;
  if (const double mape = result.metrics.mape; std::isfinite(mape)) {
    mape_sum_ += mape;
    ++mape_count_;
  }
  const double mase = result.metrics.mase;
  if (!std::isfinite(mase)) return;
  mase_sorted_.insert(std::upper_bound(mase_sorted_.begin(), mase_sorted_.end(), mase), mase);
  // Ties keep the product that got there first, so the list does not reshuffle on equal scores.
  const auto at = std::upper_bound(worst_.begin(), worst_.end(), mase,
                                   [](double m, const Worst& w) { return m > w.mase; });
  if (at - worst_.begin() < static_cast<std::ptrdiff_t>(kWorst)) {
    worst_.insert(at, {result.product, mase});
    if (worst_.size() > kWorst) worst_.pop_back();
  }
}

boost::json::object AccuracySummary::to_json() const {
  boost::json::value median = nullptr;
  if (const auto n = mase_sorted_.size(); n > 0) {
    median = metric_json(n % 2 == 1 ? mase_sorted_[n / 2]
                                    : (mase_sorted_[n / 2 - 1] + mase_sorted_[n / 2]) / 2);
  }
  boost::json::array worst;
  for (const auto& w : worst_) {
    worst.push_back(
        boost::json::object{{"product_name", w.product}, {"mase", metric_json(w.mase)}});
  }
  return {{"median_mase", std::move(median)},
          {"mean_mape", mape_count_ > 0 ? metric_json(mape_sum_ / static_cast<double>(mape_count_))
                                        : boost::json::value(nullptr)},
          {"fallbacks", fallbacks_},
          {"failed", failed_},
          {"worst", std::move(worst)}};
}

}  // namespace levain::training
