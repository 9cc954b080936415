#include "forecast/engine.hpp"

#include <algorithm>
#include <cmath>

#include "forecast/seasonal_naive.hpp"

namespace levain::forecast {
namespace {

constexpr double kZ80 = 1.2815515655446004;
constexpr double kChangepointGrid[] = {0.1, 0.03, 0.01, 0.003};

Series with_values(const Series& s, std::vector<double> y) {
  Series out = s;
  out.y = std::move(y);
  return out;
}

}  // namespace

ForecastEngine::ForecastEngine(const Series& series, const HolidayCalendar& calendar,
                               int train_days)
    : series_(series),
      calendar_(calendar),
      train_(train_days),
      days_(static_cast<int>(series.y.size())),
      clean_(without_outliers(series.y, series.start, calendar)),
      design_(build_design(with_values(series, clean_), calendar,
                           DesignOptions{.yearly_source_days = train_days})) {
  double max_y = 0;
  double sum = 0;
  int count = 0;
  for (int d = 0; d < days_; ++d) {
    if (!std::isfinite(clean_[d])) continue;
    max_y = std::max(max_y, series_.y[d]);
    if (d < train_) {
      sum += clean_[d];
      ++count;
    }
  }
  cap_ = 10 * max_y;
  // log(y + offset): the offset keeps zero days finite and is small next to typical sales.
  transform_.offset = count > 0 ? std::max(0.1 * sum / count, 1e-6) : 1.0;

  validation_days_ = train_ >= 140 ? 28 : (train_ >= 84 ? 14 : 0);
  if (validation_days_ > 0) {
    const int folds = train_ - 2 * validation_days_ >= 56 ? 2 : 1;
    for (int f = folds; f >= 1; --f) origins_.push_back(train_ - f * validation_days_);
  }
  std::vector<int> ends = origins_;
  ends.push_back(train_);
  ends.push_back(days_);
  model_.emplace(design_, clean_, ends);
  select();
}

void ForecastEngine::select() {
  best_ = FitConfig{.multiplicative = false, .changepoint_l1 = 0.03};
  if (origins_.empty()) return;
  const bool positive = transform_.offset > 1e-6;
  double best_score = INFINITY;
  for (const bool multiplicative : {false, true}) {
    if (multiplicative && !positive) continue;
    ResponseTransform transform = transform_;
    transform.log = multiplicative;
    for (const double l1 : kChangepointGrid) {
      const FitConfig config{.multiplicative = multiplicative, .changepoint_l1 = l1};
      double abs_sum = 0;
      double sq_sum = 0;
      int count = 0;
      Eigen::VectorXd warm;
      for (const int origin : origins_) {
        const LinearFit fit = model_->fit(config, transform, origin, warm);
        warm = fit.beta;
        const auto z = LinearModel::predict_z(
            fit,
            design_rows(design_, calendar_, origin, validation_days_, future_regressors(origin)));
        for (int k = 0; k < validation_days_; ++k) {
          const double actual = clean_[origin + k];
          if (!std::isfinite(actual)) continue;
          const double yhat = std::clamp(transform.inverse(z[k]), 0.0, cap_);
          abs_sum += std::abs(actual - yhat);
          const double ez = transform.forward(actual) - z[k];
          sq_sum += ez * ez;
          ++count;
        }
      }
      if (count == 0) continue;
      const double score = abs_sum / count;
      if (score < best_score) {
        best_score = score;
        best_ = config;
        validation_sigma_ = std::sqrt(sq_sum / count);
      }
    }
  }
}

std::vector<double> ForecastEngine::future_regressors(int end) const {
  std::vector<double> out;
  for (std::size_t r = 0; r < design_.regressor_source.size(); ++r) {
    const auto& values = series_.regressors[static_cast<std::size_t>(design_.regressor_source[r])];
    double sum = 0;
    int count = 0;
    for (int d = std::max(0, end - 28); d < end && d < static_cast<int>(values.size()); ++d) {
      if (std::isfinite(values[d])) {
        sum += values[d];
        ++count;
      }
    }
    const auto col =
        static_cast<Eigen::Index>(design_.kinds.size() - design_.regressor_source.size() + r);
    out.push_back(count > 0 ? sum / count : design_.mean[col]);
  }
  return out;
}

std::vector<double> ForecastEngine::predict(const LinearFit& fit, int end, int days) const {
  const auto z = LinearModel::predict_z(
      fit, design_rows(design_, calendar_, end, days, future_regressors(end)));
  std::vector<double> out(static_cast<std::size_t>(days));
  for (int k = 0; k < days; ++k) out[k] = std::clamp(fit.transform.inverse(z[k]), 0.0, cap_);
  return out;
}

HoldoutForecast ForecastEngine::holdout_forecast(int days) {
  ResponseTransform transform = transform_;
  transform.log = best_.multiplicative;
  const LinearFit fit = model_->fit(best_, transform, train_, Eigen::VectorXd{});
  warm_ = fit.beta;
  return {predict(fit, train_, days), best_.multiplicative};
}

std::vector<ForecastPoint> ForecastEngine::final_forecast(Date first, int horizon) {
  ResponseTransform transform = transform_;
  transform.log = best_.multiplicative;
  const LinearFit fit = model_->fit(best_, transform, days_, warm_);
  const auto z = LinearModel::predict_z(
      fit, design_rows(design_, calendar_, days_, horizon, future_regressors(days_)));
  // Out-of-sample validation error is the honest noise scale for multi-week horizons; the
  // in-sample residual scale is the floor when validation was not possible or was lucky.
  const double sigma =
      std::isfinite(validation_sigma_) ? std::max(fit.sigma, validation_sigma_) : 1.2 * fit.sigma;
  std::vector<ForecastPoint> points;
  for (int k = 0; k < horizon; ++k) {
    const auto bound = [&](double zv) { return std::clamp(transform.inverse(zv), 0.0, cap_); };
    points.push_back({first + std::chrono::days{k}, bound(z[k]), bound(z[k] - kZ80 * sigma),
                      bound(z[k] + kZ80 * sigma)});
  }
  return points;
}

}  // namespace levain::forecast
