#include "forecast/design.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>

#include "forecast/dates.hpp"

namespace levain::forecast {
namespace {

constexpr double kYearDays = 365.25;

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Fills the raw (unstandardized) features of day `day` into `row`; regressor columns are left
// for the caller.
void fill_raw(const Design& d, const HolidayCalendar& calendar,
              const std::map<std::string, int>& holiday_column, int day,
              Eigen::Ref<Eigen::RowVectorXd> row) {
  row.setZero();
  int col = 0;
  row[col++] = 1.0;
  const double t = d.days > 1 ? static_cast<double>(day) / (d.days - 1) : 0.0;
  row[col++] = t;
  for (double s : d.changepoints) row[col++] = std::max(0.0, t - s);
  const Date date = d.start + std::chrono::days{day};
  row[col + iso_weekday(date)] = 1.0;
  col += 7;
  if (d.yearly_order > 0) {
    // Harmonics by the angle-addition recurrence: one sin/cos per day instead of 2K.
    const double angle =
        2 * std::numbers::pi * static_cast<double>(date.time_since_epoch().count()) / kYearDays;
    const double s1 = std::sin(angle);
    const double c1 = std::cos(angle);
    double sk = s1;
    double ck = c1;
    for (int k = 0; k < d.yearly_order; ++k) {
      row[col++] = sk;
      row[col++] = ck;
      const double next_s = sk * c1 + ck * s1;
      ck = ck * c1 - sk * s1;
      sk = next_s;
    }
    const double weekend = iso_weekday(date) >= 5 ? 1.0 : 0.0;
    row[col++] = weekend * s1;
    row[col++] = weekend * c1;
  }
  if (const auto* names = calendar.names_on(date)) {
    for (const auto& name : *names) {
      if (const auto it = holiday_column.find(name); it != holiday_column.end()) {
        row[it->second] = 1.0;
      }
    }
  }
}

std::map<std::string, int> holiday_columns(const Design& d) {
  std::map<std::string, int> out;
  const int yearly = d.yearly_order > 0 ? 2 * d.yearly_order + 2 : 0;
  const int first = 2 + static_cast<int>(d.changepoints.size()) + 7 + yearly;
  for (std::size_t i = 0; i < d.holiday_names.size(); ++i) {
    out[d.holiday_names[i]] = first + static_cast<int>(i);
  }
  return out;
}

}  // namespace

int yearly_order_for(int days) {
  if (days < 365) return 0;
  return std::min(10, 3 + (days - 365) / 120);
}

Design build_design(const Series& series, const HolidayCalendar& calendar,
                    const DesignOptions& options) {
  Design d;
  d.start = series.start;
  d.days = static_cast<int>(series.y.size());
  const int n_cp = std::clamp(static_cast<int>(options.changepoint_range * d.days / 21), 0,
                              options.max_changepoints);
  for (int k = 1; k <= n_cp; ++k) d.changepoints.push_back(options.changepoint_range * k / n_cp);
  d.yearly_order = yearly_order_for(options.yearly_source_days);

  std::map<std::string, int> seen;
  for (int day = 0; day < d.days; ++day) {
    if (!std::isfinite(series.y[day])) continue;
    if (const auto* names = calendar.names_on(d.start + std::chrono::days{day})) {
      for (const auto& name : *names) seen[name] = 0;
    }
  }
  for (const auto& [name, unused] : seen) d.holiday_names.push_back(name);

  // A regressor earns a column only if it varies over the observed days.
  std::vector<double> regressor_fill;
  for (std::size_t r = 0; r < series.regressors.size(); ++r) {
    const auto& values = series.regressors[r];
    double lo = INFINITY, hi = -INFINITY, sum = 0;
    int count = 0;
    for (int day = 0; day < d.days && day < static_cast<int>(values.size()); ++day) {
      if (!std::isfinite(values[day]) || !std::isfinite(series.y[day])) continue;
      lo = std::min(lo, values[day]);
      hi = std::max(hi, values[day]);
      sum += values[day];
      ++count;
    }
    if (count >= 2 && hi > lo) {
      d.regressor_source.push_back(static_cast<int>(r));
      regressor_fill.push_back(sum / count);
    }
  }

  d.kinds.push_back(ColumnKind::kIntercept);
  d.kinds.push_back(ColumnKind::kTrend);
  d.kinds.insert(d.kinds.end(), d.changepoints.size(), ColumnKind::kChangepoint);
  d.kinds.insert(d.kinds.end(), 7, ColumnKind::kWeekday);
  d.kinds.insert(d.kinds.end(), 2 * d.yearly_order, ColumnKind::kYearly);
  if (d.yearly_order > 0) d.kinds.insert(d.kinds.end(), 2, ColumnKind::kWeekendYearly);
  d.kinds.insert(d.kinds.end(), d.holiday_names.size(), ColumnKind::kHoliday);
  d.kinds.insert(d.kinds.end(), d.regressor_source.size(), ColumnKind::kRegressor);
  const auto p = static_cast<Eigen::Index>(d.kinds.size());

  const auto columns = holiday_columns(d);
  RowMatrix raw(d.days, p);
  const Eigen::Index first_regressor = p - static_cast<Eigen::Index>(d.regressor_source.size());
  for (int day = 0; day < d.days; ++day) {
    fill_raw(d, calendar, columns, day, raw.row(day));
    for (std::size_t r = 0; r < d.regressor_source.size(); ++r) {
      const auto& values = series.regressors[d.regressor_source[r]];
      const double v = day < static_cast<int>(values.size()) ? values[day] : kNaN;
      raw(day, first_regressor + static_cast<Eigen::Index>(r)) =
          std::isfinite(v) ? v : regressor_fill[r];
    }
  }

  // Standardize over the observed days so the penalties mean the same for every product.
  d.mean = Eigen::VectorXd::Zero(p);
  d.scale = Eigen::VectorXd::Ones(p);
  int observed = 0;
  for (int day = 0; day < d.days; ++day) {
    if (std::isfinite(series.y[day])) {
      d.mean += raw.row(day).transpose();
      ++observed;
    }
  }
  d.mean /= std::max(observed, 1);
  Eigen::VectorXd var = Eigen::VectorXd::Zero(p);
  for (int day = 0; day < d.days; ++day) {
    if (std::isfinite(series.y[day])) {
      var += (raw.row(day).transpose() - d.mean).cwiseAbs2();
    }
  }
  var /= std::max(observed, 1);
  for (Eigen::Index j = 1; j < p; ++j) {
    d.scale[j] = var[j] > 1e-18 ? std::sqrt(var[j]) : 1.0;
  }
  d.mean[0] = 0.0;
  d.x = (raw.rowwise() - d.mean.transpose()) * d.scale.cwiseInverse().asDiagonal();
  return d;
}

Eigen::MatrixXd design_rows(const Design& design, const HolidayCalendar& calendar, int first,
                            int count, const std::vector<double>& regressor_values) {
  const auto p = static_cast<Eigen::Index>(design.kinds.size());
  const auto columns = holiday_columns(design);
  RowMatrix raw(count, p);
  const Eigen::Index first_regressor =
      p - static_cast<Eigen::Index>(design.regressor_source.size());
  for (int i = 0; i < count; ++i) {
    fill_raw(design, calendar, columns, first + i, raw.row(i));
    for (std::size_t r = 0; r < design.regressor_source.size(); ++r) {
      raw(i, first_regressor + static_cast<Eigen::Index>(r)) = regressor_values[r];
    }
  }
  return (raw.rowwise() - design.mean.transpose()) * design.scale.cwiseInverse().asDiagonal();
}

}  // namespace levain::forecast
