#include "forecast/seasonal_naive.hpp"

#include <algorithm>
#include <cmath>

namespace levain::forecast {
namespace {

double median(std::vector<double>& v) {
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  double m = *mid;
  if (v.size() % 2 == 0) m = (m + *std::max_element(v.begin(), mid)) / 2;
  return m;
}

}  // namespace

std::array<double, 7> same_weekday_means(std::span<const double> history, int take,
                                         std::ptrdiff_t lookback) {
  const auto n = static_cast<std::ptrdiff_t>(history.size());
  double latest = 0.0;
  for (std::ptrdiff_t i = n - 1; i >= 0; --i) {
    if (std::isfinite(history[i])) {
      latest = history[i];
      break;
    }
  }
  std::array<double, 7> slot{};
  for (int j = 0; j < 7; ++j) {
    double sum = 0;
    int count = 0;
    for (std::ptrdiff_t i = n - 7 + j; i >= 0 && i >= n - lookback && count < take; i -= 7) {
      if (std::isfinite(history[i])) {
        sum += history[i];
        ++count;
      }
    }
    slot[j] = count > 0 ? sum / count : latest;
  }
  return slot;
}

std::vector<double> seasonal_naive_forecast(std::span<const double> history, int horizon) {
  const auto slot = same_weekday_means(history, 1, static_cast<std::ptrdiff_t>(history.size()));
  std::vector<double> out(static_cast<std::size_t>(std::max(horizon, 0)));
  for (std::size_t k = 0; k < out.size(); ++k) out[k] = slot[k % 7];
  return out;
}

double seasonal_naive_sigma(std::span<const double> history) {
  double sum = 0;
  double sq = 0;
  int count = 0;
  for (std::size_t t = 7; t < history.size(); ++t) {
    if (!std::isfinite(history[t]) || !std::isfinite(history[t - 7])) continue;
    const double d = history[t] - history[t - 7];
    sum += d;
    sq += d * d;
    ++count;
  }
  if (count < 2) return 0.0;
  const double mean = sum / count;
  return std::sqrt(std::max(0.0, (sq - count * mean * mean) / (count - 1)));
}

std::vector<ForecastPoint> seasonal_naive_points(std::span<const double> history, Date first,
                                                 int horizon) {
  constexpr double kZ80 = 1.2815515655446004;  // standard normal 90% quantile: 80% two-sided
  const auto yhat = seasonal_naive_forecast(history, horizon);
  const double sigma = seasonal_naive_sigma(history);
  const double half = std::isfinite(sigma) ? kZ80 * sigma : 0.0;
  std::vector<ForecastPoint> points;
  for (int k = 0; k < horizon; ++k) {
    const double v = std::isfinite(yhat[k]) ? std::max(0.0, yhat[k]) : 0.0;
    points.push_back({.date = first + std::chrono::days{k},
                      .yhat = v,
                      .lower = std::max(0.0, v - half),
                      .upper = v + half,
                      .z = v,
                      .sigma = std::isfinite(sigma) ? sigma : 0.0,
                      .parts = {v}});  // kSeasonalNaivePart
  }
  return points;
}

std::vector<double> without_outliers(std::span<const double> y, Date start,
                                     const HolidayCalendar& calendar) {
  std::vector<double> out(y.begin(), y.end());
  const auto n = static_cast<std::ptrdiff_t>(y.size());
  std::vector<double> dev(y.size(), kNaN);
  std::vector<double> abs_devs;
  std::vector<double> around;
  for (std::ptrdiff_t i = 0; i < n; ++i) {
    if (!std::isfinite(y[i])) continue;
    around.clear();
    for (std::ptrdiff_t k = -3; k <= 3; ++k) {
      const std::ptrdiff_t j = i + 7 * k;
      if (k != 0 && j >= 0 && j < n && std::isfinite(y[j])) around.push_back(y[j]);
    }
    if (around.size() < 3) continue;
    dev[i] = y[i] - median(around);
    abs_devs.push_back(std::abs(dev[i]));
  }
  if (abs_devs.size() < 28) return out;
  const double scale = 1.4826 * median(abs_devs);
  if (!(scale > 0)) return out;
  struct Candidate {
    double size;
    std::ptrdiff_t day;
  };
  std::vector<Candidate> flagged;
  for (std::ptrdiff_t i = 0; i < n; ++i) {
    if (std::isfinite(dev[i]) && std::abs(dev[i]) > 6 * scale &&
        !calendar.contains(start + std::chrono::days{i})) {
      flagged.push_back({std::abs(dev[i]), i});
    }
  }
  std::sort(flagged.begin(), flagged.end(), [](const Candidate& a, const Candidate& b) {
    return a.size != b.size ? a.size > b.size : a.day < b.day;
  });
  flagged.resize(std::min(flagged.size(), abs_devs.size() / 100));
  for (const auto& c : flagged) out[static_cast<std::size_t>(c.day)] = kNaN;
  return out;
}

}  // namespace levain::forecast
