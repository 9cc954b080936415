#pragma once
/// Seasonal naive, the baseline every model must beat: each future day repeats the same
/// weekday of the last observed week. Also the fallback model, so it must work on any input.

#include <array>
#include <cstddef>
#include <span>
#include <vector>

#include "forecast/holidays.hpp"
#include "forecast/types.hpp"

namespace levain::forecast {

/// For each of the 7 days after `history` (slot k = day n + k, repeating weekly): the mean of the
/// last `take` known values on that weekday within the last `lookback` days; the latest known
/// value when there is none, else 0. Seasonal naive is take 1 with no lookback bound.
std::array<double, 7> same_weekday_means(std::span<const double> history, int take,
                                         std::ptrdiff_t lookback);

/// `horizon` values following `history`: the last week repeated. A missing (NaN) day in that
/// week takes the latest known value of the same weekday, else the latest known value, else 0.
std::vector<double> seasonal_naive_forecast(std::span<const double> history, int horizon);

/// Standard deviation of the one-week-ahead naive error (lag-7 differences); 0 when undefined.
double seasonal_naive_sigma(std::span<const double> history);

/// Seasonal naive as a product's model: `horizon` days from `first`, clamped at 0, with an 80%
/// interval of +-1.28 naive sigmas, z = yhat and sigma = the naive sigma on the units scale, and
/// one part, "last_week" (kSeasonalNaivePart). Always finite.
inline constexpr const char* kSeasonalNaivePart = "last_week";
std::vector<ForecastPoint> seasonal_naive_points(std::span<const double> history, Date first,
                                                 int horizon);

/// A copy of `y` (starting on `start`) where isolated extreme days are NaN, so one freak day
/// does not bend a fit. A day is extreme when it is far (robustly scaled) from the median of
/// the same weekday in the three weeks around it; holidays are never flagged (they are
/// modelled), and at most 1% of the observed days are.
std::vector<double> without_outliers(std::span<const double> y, Date start,
                                     const HolidayCalendar& calendar);

}  // namespace levain::forecast
