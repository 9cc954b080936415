#pragma once
/// Value types shared by the forecasting code, the store and the training service.
/// No networking and no storage here: plain data.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace levain::forecast {

using Date = std::chrono::sys_days;

/// One CSV row after validation: a day's sales of one product, plus any extra numeric columns.
struct Observation {
  Date date;
  std::string product;
  double quantity = 0;
  std::vector<double> regressors;  // same order as CsvParseResult::regressor_names
  /// The product ran out that day: `quantity` is a lower bound on demand, not demand.
  bool sold_out = false;
};

/// A product's daily history, one slot per calendar day from `start`; missing days are NaN.
struct Series {
  std::string product;
  Date start{};
  std::vector<double> y;
  std::vector<std::string> regressor_names;
  std::vector<std::vector<double>> regressors;  // [regressor][day], NaN where unknown
  /// 1 on a day the product sold out (y is then a lower bound on demand); as long as y, or
  /// empty when no day sold out.
  std::vector<std::uint8_t> sold_out;
};

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Hold-out accuracy. A metric that is undefined on the data (e.g. MAPE with no non-zero day)
/// is NaN, and is written as JSON null.
struct Accuracy {
  double mae = kNaN;
  double rmse = kNaN;
  double mape = kNaN;   // percent, over non-zero actual days
  double smape = kNaN;  // percent
  double mase = kNaN;   // scaled by the in-sample seasonal-naive (lag 7) MAE
};

struct ForecastPoint {
  Date date;
  double yhat = 0;
  double lower = 0;  // 80% interval
  double upper = 0;
  /// The day's predictive distribution, so that any quantile is read from the stored fit
  /// (forecast/quantile.hpp): median and spread on the model's response scale (sigma grows with
  /// the days ahead). NaN in a model stored before they existed; the quantile then follows from
  /// the 80% interval.
  double z = kNaN;
  double sigma = kNaN;
  /// yhat split into named parts in units of the forecast (FitReport::component_names, same
  /// order); they add up to yhat. Empty in a model stored before they existed.
  std::vector<double> parts;
};

/// What fitting one product produced: the model kept, why, its hold-out accuracy and forecast.
struct FitReport {
  std::string model;            // "additive", "multiplicative" or "seasonal_naive"
  bool fallback = false;        // true when seasonal naive is the product's model
  std::string fallback_reason;  // a sentence a person can read, empty when no fallback
  Accuracy holdout;             // of the kept model
  Accuracy naive_holdout;       // of seasonal naive on the same hold-out
  std::vector<ForecastPoint> forecast;
  double fit_ms = 0;
  /// How z maps to units: log(y + offset) when `log_scale`, else y itself; forecasts are
  /// clamped to [0, cap].
  bool log_scale = false;
  double offset = 1.0;
  double cap = std::numeric_limits<double>::infinity();
  /// Names of ForecastPoint::parts: "trend", "weekday", "yearly", "weekend_season",
  /// "holiday:<name>", "regressor:<column>", and for seasonal naive "last_week"; "clamp" when
  /// the bounds at 0 or at cap moved the sum.
  std::vector<std::string> component_names;
  /// The shape of each day's predictive distribution on the response scale: a sorted sample of
  /// unit root mean square and median 0 (the model's validation errors, docs/forecasting.md
  /// "Quantiles"); the day's p-quantile is z + sigma * its p-quantile. Empty: a normal (seasonal
  /// naive, a history too short to validate, a model stored before the shape was kept).
  std::vector<double> residual_shape;
};

}  // namespace levain::forecast
