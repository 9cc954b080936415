#pragma once
/// One product's model selection and fitting: builds the design once, chooses the response
/// scale (additive or log) and the changepoint sparsity by rolling-origin validation inside the
/// training part, then serves the hold-out forecast and the final forecast from that choice.

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "forecast/design.hpp"
#include "forecast/holidays.hpp"
#include "forecast/linear_model.hpp"
#include "forecast/types.hpp"

namespace levain::forecast {

struct HoldoutForecast {
  std::vector<double> yhat;  // one per hold-out day, clamped at 0
  bool multiplicative = false;
};

/// A day's parts on the model's response scale (the trend first) in units of the forecast: the
/// same numbers on the additive scale; on the log scale the trend is exp(trend) - offset and the
/// rest, exp(trend) (exp(sum of the others) - 1), is shared in proportion to each other part.
/// Either way they add up to the unbounded forecast inverse(sum of z_parts).
std::vector<double> parts_in_units(std::span<const double> z_parts,
                                   const ResponseTransform& transform);

class ForecastEngine {
 public:
  /// `series` has no leading or trailing NaN and must outlive the engine; days [0, train_days)
  /// are the training part, the rest is the hold-out.
  ForecastEngine(const Series& series, const HolidayCalendar& calendar, int train_days);

  /// The selected model fitted on the training part, predicting `days` days after it.
  HoldoutForecast holdout_forecast(int days);

  /// The selected model refitted on the whole series: `horizon` days from `first` (the day
  /// after the series), with 80% intervals, clamped at 0, each day's predictive location and
  /// spread (z, sigma) and yhat split into parts (docs/forecasting.md, "Forecasts explained").
  std::vector<ForecastPoint> final_forecast(Date first, int horizon);

  /// How final_forecast's points are read: the response scale, the bound, the names of
  /// ForecastPoint::parts and the shape of the predictive distribution. Call after
  /// final_forecast.
  void describe(FitReport& report) const;

  /// The E-steps for sold-out days (censoring.hpp): `censored[d]` marks day d, whose value
  /// `sold[d]` is a lower bound (missing in this engine's series). Each step fits the selected
  /// model on the whole series with the latest imputations and sets those days to
  /// censored_demand under it. Returns the series' values with the last step's imputations.
  std::vector<double> impute_censored(std::span<const std::uint8_t> censored,
                                      std::span<const double> sold, int steps);

 private:
  void select();
  /// Regressor values assumed after `end`: each regressor's mean over the 4 weeks before `end`
  /// (the future of a regressor is unknown to the upload, and a recent level is the most
  /// defensible guess).
  std::vector<double> future_regressors(int end) const;
  std::vector<double> predict(const LinearFit& fit, int end, int days) const;
  /// Per design column, the index of the part (component_names_) it feeds; fills the names.
  std::vector<int> part_columns();

  const Series& series_;
  const HolidayCalendar& calendar_;
  int train_;
  int days_;
  std::vector<double> clean_;
  Design design_;
  std::optional<LinearModel> model_;
  std::vector<int> origins_;
  int validation_days_ = 0;
  FitConfig best_;
  ResponseTransform transform_;
  double validation_sigma_ = kNaN;         // RMS of validation errors, transformed scale
  std::vector<double> validation_errors_;  // of the chosen candidate, transformed scale
  std::vector<double> shape_;              // FitReport::residual_shape of the final forecast
  double cap_ = 0;                         // sanity bound on forecasts: 10x the largest observation
  Eigen::VectorXd warm_;
  std::vector<std::string> component_names_;  // of the last final_forecast's parts
};

}  // namespace levain::forecast
