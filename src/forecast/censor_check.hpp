#pragma once
/// `levain backtest --censor-test`: a synthetic check that the model treats sold-out days as
/// censored. Each product's demand is capped at a fixed daily bake (a quantile of its history
/// before the last origin) and the capped days are marked sold out; at rolling origins the
/// model is fitted on the capped series twice, knowing the flag and ignoring it, and both are
/// scored against the true (uncapped) demand of the horizon.

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "forecast/holidays.hpp"
#include "forecast/types.hpp"

namespace levain::forecast {

struct CensorCheckOptions {
  int horizon = 14;
  int origins = 4;
  int spacing = 28;
  int train_days = 1095;
  int holdout_days = 28;
  double bake_quantile = 0.7;  // the fixed daily bake: this quantile of the product's history
  const HolidayCalendar* holidays = nullptr;
  const HolidayCalendar* extra_holidays = nullptr;
  std::function<void(std::size_t, std::size_t, const std::string&)> on_product;
};

/// Forecast minus true demand, summed over the scored days.
struct CensorSide {
  double error_sum = 0;
  double abs_error_sum = 0;
  std::size_t days = 0;
  double bias() const;  // mean error per day, NaN without days
  double mae() const;
  void add(const CensorSide& other);
};

struct CensorProduct {
  std::string product;
  double bake = kNaN;             // the cap; NaN when skipped
  std::size_t sold_out_days = 0;  // of the history before the last origin
  std::size_t history_days = 0;
  double demand_sum = 0;  // true demand over the scored days
  CensorSide with_flag;
  CensorSide without_flag;
  CensorSide uncapped;  // the same fits on the true demand: the model's own bias, for scale
  std::string skipped;  // why nothing was scored, or ""
};

struct CensorCheckResult {
  CensorCheckOptions options;  // as run (on_product cleared)
  std::vector<CensorProduct> products;
  CensorSide with_flag;
  CensorSide without_flag;
  CensorSide uncapped;
  double demand_sum = 0;
  std::size_t sold_out_days = 0;
  std::size_t history_days = 0;
};

CensorCheckResult run_censor_check(const std::vector<Series>& series,
                                   const CensorCheckOptions& options);

}  // namespace levain::forecast
