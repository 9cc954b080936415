#pragma once
/// Forecasts checked against what was sold (GET …/accuracy), as pure logic: the forecast log's
/// rows whose day has sales, folded per product and overall into the error of the forecasts
/// made 1, 7 and 14 days ahead, and each product's drift verdict (docs/forecasting.md,
/// "Forecasts checked against what was sold").

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "training/store/store.hpp"

namespace levain::training::api {

inline constexpr std::array<int, 3> kAccuracyLeads{1, 7, 14};
/// Drifted: the served model's live MAE over the last kDriftWindowDays sales days above
/// kDriftRatio x its hold-out MAE, judged on at least kMinDriftDays of those days.
inline constexpr double kDriftRatio = 1.5;
inline constexpr int kDriftWindowDays = 14;
inline constexpr int kMinDriftDays = 7;

struct LeadAccuracy {
  std::size_t forecasts = 0;
  double abs_error_sum = 0;
  double scaled_error_sum = 0;  // over the days with a known scale
  std::size_t scaled = 0;
  std::size_t covered = 0;  // sales inside the 80% interval
  double mae() const;       // NaN without forecasts
  double mase() const;
  double coverage_80() const;  // a share, 0 to 1
};

struct ProductAccuracy {
  std::string product;
  int model_version = 0;  // the served model's; 0 when the product has none now
  double holdout_mae = forecast::kNaN;
  double recent_mae = forecast::kNaN;  // the served version's, over the drift window
  int recent_days = 0;
  bool drifted = false;
  std::array<LeadAccuracy, kAccuracyLeads.size()> leads;
};

struct AccuracyReport {
  std::vector<ProductAccuracy> products;  // drifted first, then by name
  std::array<LeadAccuracy, kAccuracyLeads.size()> overall;
  std::vector<std::string> drifted;  // by name
};

/// `met` as Store::met_forecasts returns it; `models` the served models (for the version, the
/// hold-out error and the MASE scale). Products with forecasts but no model now are listed
/// without a verdict.
AccuracyReport live_accuracy(const std::vector<MetForecast>& met,
                             const std::vector<StoredModel>& models);

}  // namespace levain::training::api
