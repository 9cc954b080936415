#pragma once
/// One product's model selection and fitting: builds the design once, chooses the response
/// scale (additive or log) and the changepoint sparsity by rolling-origin validation inside the
/// training part, then serves the hold-out forecast and the final forecast from that choice.

#include <optional>
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

class ForecastEngine {
 public:
  /// `series` has no leading or trailing NaN and must outlive the engine; days [0, train_days)
  /// are the training part, the rest is the hold-out.
  ForecastEngine(const Series& series, const HolidayCalendar& calendar, int train_days);

  /// The selected model fitted on the training part, predicting `days` days after it.
  HoldoutForecast holdout_forecast(int days);

  /// The selected model refitted on the whole series: `horizon` days from `first` (the day
  /// after the series), with 80% intervals, clamped at 0.
  std::vector<ForecastPoint> final_forecast(Date first, int horizon);

 private:
  void select();
  /// Regressor values assumed after `end`: each regressor's mean over the 4 weeks before `end`
  /// (the future of a regressor is unknown to the upload, and a recent level is the most
  /// defensible guess).
  std::vector<double> future_regressors(int end) const;
  std::vector<double> predict(const LinearFit& fit, int end, int days) const;

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
  double validation_sigma_ = kNaN;  // RMS of validation errors, transformed scale
  double cap_ = 0;                  // sanity bound on forecasts: 10x the largest observation
  Eigen::VectorXd warm_;
};

}  // namespace levain::forecast
