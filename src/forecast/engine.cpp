#include "forecast/engine.hpp"

#include <algorithm>
#include <cmath>

#include "forecast/censoring.hpp"
#include "forecast/quantile.hpp"
#include "forecast/seasonal_naive.hpp"

namespace levain::forecast {
namespace {

// Fewer validation errors than this give too rough a shape: the normal is used instead.
constexpr std::size_t kMinShapeErrors = 20;
constexpr double kChangepointGrid[] = {0.1, 0.03, 0.01, 0.003};

// The shape of the predictive distribution: the chosen candidate's validation errors (1 to V
// days ahead, from fits that did not see those days), centred on their median so that the
// forecast stays the median, scaled to unit root mean square and sorted; rounded to 4 decimals,
// so the report stores what it serves. Empty, and a normal is used, under kMinShapeErrors.
std::vector<double> residual_shape(std::vector<double> errors) {
  if (errors.size() < kMinShapeErrors) return {};
  std::sort(errors.begin(), errors.end());
  const std::size_t n = errors.size();
  const double median = n % 2 == 1 ? errors[n / 2] : 0.5 * (errors[n / 2 - 1] + errors[n / 2]);
  double sq = 0;
  for (double& e : errors) {
    e -= median;
    sq += e * e;
  }
  const double rms = std::sqrt(sq / static_cast<double>(n));
  if (!(rms > 0) || !std::isfinite(rms)) return {};
  for (double& e : errors) e = std::round(e / rms * 1e4) / 1e4;
  return errors;
}

Series with_values(const Series& s, std::vector<double> y) {
  Series out = s;
  out.y = std::move(y);
  return out;
}

}  // namespace

std::vector<double> parts_in_units(std::span<const double> z_parts,
                                   const ResponseTransform& transform) {
  std::vector<double> out(z_parts.begin(), z_parts.end());
  if (!transform.log || out.empty()) return out;
  // exp(T + S) - offset = (exp(T) - offset) + exp(T) expm1(S): the trend alone in units, then
  // the rest shared in proportion to each part's share of S on the log scale.
  double rest = 0;
  for (std::size_t i = 1; i < out.size(); ++i) rest += z_parts[i];
  const double level = std::exp(z_parts[0]);
  const double factor = level * (std::abs(rest) > 1e-12 ? std::expm1(rest) / rest : 1.0);
  out[0] = level - transform.offset;
  for (std::size_t i = 1; i < out.size(); ++i) out[i] = z_parts[i] * factor;
  return out;
}

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
  std::vector<double> errors;
  for (const bool multiplicative : {false, true}) {
    if (multiplicative && !positive) continue;
    ResponseTransform transform = transform_;
    transform.log = multiplicative;
    for (const double l1 : kChangepointGrid) {
      const FitConfig config{.multiplicative = multiplicative, .changepoint_l1 = l1};
      double abs_sum = 0;
      double sq_sum = 0;
      int count = 0;
      errors.clear();
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
          errors.push_back(ez);
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
        validation_errors_ = errors;
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

std::vector<int> ForecastEngine::part_columns() {
  component_names_ = {"trend", "weekday"};
  if (design_.yearly_order > 0) {
    component_names_.emplace_back("yearly");
    component_names_.emplace_back("weekend_season");
  }
  const int first_holiday = static_cast<int>(component_names_.size());
  for (const auto& name : design_.holiday_names) component_names_.push_back("holiday:" + name);
  const int first_regressor = static_cast<int>(component_names_.size());
  for (const int source : design_.regressor_source) {
    component_names_.push_back("regressor:" +
                               series_.regressor_names[static_cast<std::size_t>(source)]);
  }
  std::vector<int> part;
  int holiday = 0;
  int regressor = 0;
  for (const ColumnKind kind : design_.kinds) {
    switch (kind) {
      case ColumnKind::kIntercept:
      case ColumnKind::kTrend:
      case ColumnKind::kChangepoint:
        part.push_back(0);
        break;
      case ColumnKind::kWeekday:
        part.push_back(1);
        break;
      case ColumnKind::kYearly:
        part.push_back(2);
        break;
      case ColumnKind::kWeekendYearly:
        part.push_back(3);
        break;
      case ColumnKind::kHoliday:
        part.push_back(first_holiday + holiday++);
        break;
      case ColumnKind::kRegressor:
        part.push_back(first_regressor + regressor++);
        break;
    }
  }
  return part;
}

std::vector<ForecastPoint> ForecastEngine::final_forecast(Date first, int horizon) {
  ResponseTransform transform = transform_;
  transform.log = best_.multiplicative;
  const LinearFit fit = model_->fit(best_, transform, days_, warm_);
  const Eigen::MatrixXd rows =
      design_rows(design_, calendar_, days_, horizon, future_regressors(days_));
  const auto z = LinearModel::predict_z(fit, rows);
  // The error of a day h days ahead: the in-sample residual scale for the next day, growing
  // linearly in variance with h so that over the validation horizon V it averages the
  // validation errors' mean square (the honest scale for multi-week horizons), and held at its
  // value at V beyond. Without validation, or when it was luckier than the fit itself, the scale
  // is flat.
  const double base = std::isfinite(validation_sigma_) ? fit.sigma : 1.2 * fit.sigma;
  const double growth = std::isfinite(validation_sigma_)
                            ? std::max(0.0, validation_sigma_ * validation_sigma_ - base * base) *
                                  2.0 / (validation_days_ + 1)
                            : 0.0;
  shape_ = residual_shape(validation_errors_);
  const auto sigma_at = [&](int k) {
    return std::sqrt(base * base + growth * std::min(k + 1, validation_days_));
  };

  // Each column's share of z is z_scale * beta_j * x_std_j. Weekday and regressor parts are
  // measured from the history's average day (x_std = 0); yearly, weekend-season and holiday parts
  // from the column's raw zero, so that they vanish on a day without them; the constants this
  // moves, and z's mean, belong to the trend.
  const std::vector<int> part = part_columns();
  const auto p = static_cast<Eigen::Index>(part.size());
  const Eigen::VectorXd weight = fit.beta * fit.z_scale;
  std::vector<bool> from_zero(static_cast<std::size_t>(p));
  double trend_base = fit.z_mean;
  for (Eigen::Index j = 0; j < p; ++j) {
    const ColumnKind kind = design_.kinds[static_cast<std::size_t>(j)];
    from_zero[static_cast<std::size_t>(j)] = kind == ColumnKind::kYearly ||
                                             kind == ColumnKind::kWeekendYearly ||
                                             kind == ColumnKind::kHoliday;
    if (from_zero[static_cast<std::size_t>(j)]) {
      trend_base -= weight[j] * design_.mean[j] / design_.scale[j];
    }
  }
  // The raw value of a from-zero column, without the rounding of standardizing and back: these
  // columns are dummies and sines, so anything this close to 0 is 0.
  const auto raw = [&](int k, Eigen::Index j) {
    const double v = rows(k, j) * design_.scale[j] + design_.mean[j];
    return std::abs(v) < 1e-12 ? 0.0 : v;
  };
  const std::size_t named = component_names_.size();
  bool clamped = false;
  std::vector<ForecastPoint> points;
  std::vector<double> zpart(named);
  for (int k = 0; k < horizon; ++k) {
    const auto bound = [&](double zv) { return std::clamp(transform.inverse(zv), 0.0, cap_); };
    const double sigma = sigma_at(k);
    const double lower = z[k] + standardized_quantile(shape_, 0.1) * sigma;
    const double upper = z[k] + standardized_quantile(shape_, 0.9) * sigma;
    ForecastPoint point{.date = first + std::chrono::days{k},
                        .yhat = bound(z[k]),
                        .lower = bound(lower),
                        .upper = bound(upper),
                        .z = z[k],
                        .sigma = sigma,
                        .parts = {}};
    std::fill(zpart.begin(), zpart.end(), 0.0);
    zpart[0] = trend_base;
    for (Eigen::Index j = 0; j < p; ++j) {
      const auto i = static_cast<std::size_t>(j);
      zpart[static_cast<std::size_t>(part[i])] +=
          from_zero[i] ? weight[j] * raw(k, j) / design_.scale[j] : weight[j] * rows(k, j);
    }
    point.parts = parts_in_units(zpart, transform);
    double sum = 0;
    for (const double v : point.parts) sum += v;
    const double unbounded = transform.inverse(z[k]);
    if (unbounded < 0 || unbounded > cap_) {
      clamped = true;
      point.parts.push_back(point.yhat - sum);
    }
    points.push_back(std::move(point));
  }
  if (clamped) {
    component_names_.emplace_back("clamp");
    for (auto& point : points) point.parts.resize(named + 1, 0.0);
  }
  return points;
}

void ForecastEngine::describe(FitReport& report) const {
  report.log_scale = best_.multiplicative;
  report.offset = transform_.offset;
  report.cap = cap_;
  report.component_names = component_names_;
  report.residual_shape = shape_;
}

std::vector<double> ForecastEngine::impute_censored(std::span<const std::uint8_t> censored,
                                                    std::span<const double> sold, int steps) {
  ResponseTransform transform = transform_;
  transform.log = best_.multiplicative;
  const std::vector<double> shape = residual_shape(validation_errors_);
  std::vector<double> fitted = clean_;  // what the fits see: outliers stay out
  std::vector<double> out = series_.y;
  const auto flagged = [&](int d) {
    return d < static_cast<int>(censored.size()) && censored[d] != 0 && std::isfinite(sold[d]);
  };
  LinearFit fit = model_->fit(best_, transform, days_, Eigen::VectorXd{});
  for (int step = 0; step < steps; ++step) {
    const Eigen::VectorXd z = LinearModel::predict_z(fit, design_.x);
    for (int d = 0; d < days_; ++d) {
      if (!flagged(d)) continue;
      out[d] = fitted[d] = censored_demand(sold[d], z[d], fit.sigma, shape, transform, cap_);
    }
    if (step + 1 == steps) break;  // the caller's own fit is the last M-step
    LinearModel refit(design_, fitted, {days_});
    fit = refit.fit(best_, transform, days_, fit.beta);
  }
  return out;
}

}  // namespace levain::forecast
