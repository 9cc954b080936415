#pragma once
/// Rolling-origin backtest (`levain backtest`): at each origin, Levain's model (as training runs
/// it, fallback included) and two baselines are fitted on the days before the origin and scored
/// on the `horizon` days from it. Users check the forecaster on their own data with it.

#include <array>
#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "forecast/holidays.hpp"
#include "forecast/types.hpp"

namespace levain::forecast {

struct BacktestOptions {
  int horizon = 28;       // days scored after each origin, 1..366
  int origins = 8;        // 1..100; the latest one's horizon ends on the product's last day
  int spacing = 28;       // days between consecutive origins, 1..366
  int train_days = 1095;  // days before an origin the fits see (fewer when history is shorter)
  int holdout_days = 28;  // Levain's own hold-out inside each training window (as in training)
  const HolidayCalendar* holidays = nullptr;        // as ModelOptions::holidays
  const HolidayCalendar* extra_holidays = nullptr;  // as ModelOptions::extra_holidays
  /// Called after each product with (products done, total, product name); may be empty.
  std::function<void(std::size_t, std::size_t, const std::string&)> on_product;
};

enum class Method { kLevain = 0, kSeasonalNaive = 1, kWeekdayMean = 2 };
inline constexpr std::size_t kMethodCount = 3;
/// "levain", "seasonal_naive", "weekday_mean_4".
std::string_view method_name(Method m);

/// One method on one product, over the origins that could be scored.
struct MethodScore {
  std::vector<Accuracy> per_origin;  // oldest origin first
  Accuracy mean;                     // each metric averaged over the origins where it is defined
  double coverage = kNaN;   // share of actual days inside the 80% interval; NaN: no interval
  double fit_ms = 0;        // mean wall time of one fit + forecast
  int origins = 0;          // origins scored
  std::size_t days = 0;     // actual (non-missing) days scored
  std::size_t covered = 0;  // of which inside the interval
};

struct ProductBacktest {
  std::string product;
  std::array<MethodScore, kMethodCount> methods;
  int levain_fallbacks = 0;  // origins where Levain's model kept seasonal naive
  std::string skipped;       // why no origin could be scored, or ""
};

/// Across every scored (product, origin) pair where the metric is defined: the median over
/// pairs is how the reference numbers of other forecasters are usually reported.
struct AggregateScore {
  double mean_mase = kNaN;
  double median_mase = kNaN;
  double median_product_mase = kNaN;  // median over products of their mean MASE
  double mean_mape = kNaN;
  double median_mape = kNaN;
  double mean_smape = kNaN;
  double coverage = kNaN;  // pooled over every scored day
  double fit_ms = 0;       // mean per fit
  int products = 0;        // with at least one defined MASE
  int pairs = 0;           // (product, origin) pairs with a defined MASE
};

struct BacktestResult {
  BacktestOptions options;  // as run (on_product cleared)
  std::vector<ProductBacktest> products;
  std::array<AggregateScore, kMethodCount> aggregate;
  int levain_fits = 0;
  int levain_fallbacks = 0;
};

/// Mean of the last 4 known values of each weekday in `history` (the day 7, 14, 21, 28 days
/// back, skipping missing days, looking back at most 8 weeks); a weekday never seen takes the
/// latest known value, else 0.
std::vector<double> weekday_mean_forecast(std::span<const double> history, int horizon);

/// Runs the backtest; never throws for data reasons. Options out of range are clamped.
BacktestResult run_backtest(const std::vector<Series>& series, const BacktestOptions& options);

}  // namespace levain::forecast
