#pragma once
/// The design matrix of the additive model for one product: intercept, linear trend with
/// changepoint ramps, day-of-week dummies, yearly Fourier terms (plus their first harmonic on
/// weekends only, since the weekend's weight changes with the season), one column per holiday
/// name and one per regressor. It is built once per series and standardized, so the hold-out fit,
/// the rolling-origin validation fits and the final fit are all row subsets of the same matrix.

#include <Eigen/Dense>
#include <string>
#include <vector>

#include "forecast/holidays.hpp"
#include "forecast/types.hpp"

namespace levain::forecast {

enum class ColumnKind {
  kIntercept,
  kTrend,
  kChangepoint,
  kWeekday,
  kYearly,
  kWeekendYearly,  // the weekend's share drifting over the year (first harmonic, weekends only)
  kHoliday,
  kRegressor
};

struct DesignOptions {
  int yearly_source_days = 0;       // history the yearly order is chosen from (the training part)
  double changepoint_range = 0.85;  // changepoints sit in this leading fraction of the window
  int max_changepoints = 25;
};

struct Design {
  Date start{};
  int days = 0;                      // rows cover days [0, days) from start
  std::vector<double> changepoints;  // in trend units (t = day / (days - 1))
  int yearly_order = 0;              // the weekend-yearly columns exist exactly when this is > 0
  std::vector<std::string> holiday_names;
  std::vector<int> regressor_source;  // per regressor column: index into Series::regressors
  std::vector<ColumnKind> kinds;      // per column
  Eigen::VectorXd mean;               // standardization: x_std = (x_raw - mean) / scale
  Eigen::VectorXd scale;
  Eigen::MatrixXd x;  // standardized rows for days [0, days)
};

/// Yearly Fourier order for a history of `days` days: none under a year, growing to 10.
int yearly_order_for(int days);

/// Builds the matrix for `series` (its y must not have leading NaN). Regressor cells that are
/// NaN take the regressor's mean. Holidays that never fall on an observed day get no column.
Design build_design(const Series& series, const HolidayCalendar& calendar,
                    const DesignOptions& options);

/// Standardized rows for `count` days from day `first` (may lie beyond the window), with the
/// regressor columns set to `regressor_values` (one per regressor column) instead of history.
Eigen::MatrixXd design_rows(const Design& design, const HolidayCalendar& calendar, int first,
                            int count, const std::vector<double>& regressor_values);

}  // namespace levain::forecast
