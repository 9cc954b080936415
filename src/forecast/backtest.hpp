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
  /// Quantile levels scored for the methods with a predictive distribution, each in (0, 1).
  std::vector<double> quantiles = {0.5, 0.8, 0.95};
  /// Simulate the bake plan: every scored day, each policy bakes and sells at price 1 with a
  /// unit cost of `cost_share` (PlanScore).
  bool plan = false;
  double cost_share = 0.35;
  /// Called after each product with (products done, total, product name); may be empty.
  std::function<void(std::size_t, std::size_t, const std::string&)> on_product;
};

enum class Method { kLevain = 0, kSeasonalNaive = 1, kWeekdayMean = 2 };
inline constexpr std::size_t kMethodCount = 3;
/// "levain", "seasonal_naive", "weekday_mean_4".
std::string_view method_name(Method m);

/// One quantile level of one method: how often the actual day was at or below the quantile
/// (calibrated: about `level`) and the pinball loss, pooled over the scored days.
struct QuantileScore {
  double level = 0;
  std::size_t days = 0;
  std::size_t at_or_below = 0;
  double pinball_sum = 0;         // in units of the data
  double scaled_pinball_sum = 0;  // each day's loss over its origin's MASE scale
  double share() const;           // at_or_below / days, NaN without days
  double pinball() const;         // mean, NaN without days
  double scaled_pinball() const;  // mean, NaN without days (0.5: half the MASE of the median)
  void add(const QuantileScore& other);
};

/// One method on one product, over the origins that could be scored.
struct MethodScore {
  std::vector<Accuracy> per_origin;  // oldest origin first
  Accuracy mean;                     // each metric averaged over the origins where it is defined
  double coverage = kNaN;   // share of actual days inside the 80% interval; NaN: no interval
  double fit_ms = 0;        // mean wall time of one fit + forecast
  int origins = 0;          // origins scored
  std::size_t days = 0;     // actual (non-missing) days scored
  std::size_t covered = 0;  // of which inside the interval
  std::vector<QuantileScore> quantiles;  // per BacktestOptions::quantiles; empty: no distribution
};

/// The bake-plan simulation (`--plan`): what one policy baked, sold, wasted and lost over the
/// scored days, selling at price 1 with unit cost BacktestOptions::cost_share. Demand is taken to
/// be the day's sales (a sold-out day's true demand is unknown; here sales are demand).
enum class Policy { kLevain = 0, kLastWeek = 1, kWeekdayMeanPlus10 = 2 };
inline constexpr std::size_t kPolicyCount = 3;
/// "levain", "last_week", "weekday_mean_4_plus_10pct".
std::string_view policy_name(Policy p);

struct PlanScore {
  double baked = 0;
  double sold = 0;
  double wasted = 0;
  double lost = 0;
  double profit = 0;
  std::size_t days = 0;
  void add(const PlanScore& other);
};

struct ProductBacktest {
  std::string product;
  std::array<MethodScore, kMethodCount> methods;
  int levain_fallbacks = 0;                  // origins where Levain's model kept seasonal naive
  std::string skipped;                       // why no origin could be scored, or ""
  std::array<PlanScore, kPolicyCount> plan;  // with BacktestOptions::plan
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
  double coverage = kNaN;                // pooled over every scored day
  double fit_ms = 0;                     // mean per fit
  int products = 0;                      // with at least one defined MASE
  int pairs = 0;                         // (product, origin) pairs with a defined MASE
  std::vector<QuantileScore> quantiles;  // pooled over every scored day
};

struct BacktestResult {
  BacktestOptions options;  // as run (on_product cleared)
  std::vector<ProductBacktest> products;
  std::array<AggregateScore, kMethodCount> aggregate;
  int levain_fits = 0;
  int levain_fallbacks = 0;
  std::array<PlanScore, kPolicyCount> plan;  // summed over products, with BacktestOptions::plan
};

/// Mean of the last 4 known values of each weekday in `history` (the day 7, 14, 21, 28 days
/// back, skipping missing days, looking back at most 8 weeks); a weekday never seen takes the
/// latest known value, else 0.
std::vector<double> weekday_mean_forecast(std::span<const double> history, int horizon);

/// Runs the backtest; never throws for data reasons. Options out of range are clamped.
BacktestResult run_backtest(const std::vector<Series>& series, const BacktestOptions& options);

}  // namespace levain::forecast
