#pragma once
/// The per-product forecaster (DESIGN.md §4): a Prophet-class additive model fitted as a
/// penalized MAP estimate, validated against seasonal naive on a hold-out, with seasonal naive
/// as the fallback. Pure computation: deterministic, thread-safe, no I/O.

#include "forecast/holidays.hpp"
#include "forecast/types.hpp"

namespace levain::forecast {

struct ModelOptions {
  int horizon_days = 14;  // clamped to [0, 3660]
  int holdout_days = 28;  // shortened on short histories so that most data stays for fitting
  const HolidayCalendar* holidays = nullptr;  // nullptr => Spain's national holidays built in
  /// With `holidays` nullptr: a tenant's own calendar, added to Spain's (days outside the
  /// years the fit and forecast touch are ignored).
  const HolidayCalendar* extra_holidays = nullptr;
};

/// Fits one product and forecasts `horizon_days` from the day after its last observation.
/// Never throws for data reasons (gaps, zeros, constants, outliers, short or empty series) and
/// never returns NaN or infinity in the forecast; values and bounds are clamped at 0.
FitReport fit_and_forecast(const Series& series, const ModelOptions& options);

/// Under 8 weeks of history, or under 6 weeks of observed days: too little for the model, so
/// seasonal naive is the product's model (the data report names these products before the fit).
inline constexpr int kMinHistoryDays = 56;
inline constexpr int kMinObservedDays = 42;
bool falls_back_for_history(const Series& series);

}  // namespace levain::forecast
