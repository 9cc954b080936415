#pragma once
/// Sold-out days are censored observations: the day's quantity is a lower bound on its demand.
/// The model keeps its penalized linear fit and treats them by EM-style imputation (docs/
/// forecasting.md, "Sold-out days"): a censored day's value becomes its expected demand given
/// that demand was at least what was sold, under the day's fitted predictive distribution.

#include <vector>

#include "forecast/holidays.hpp"
#include "forecast/linear_model.hpp"
#include "forecast/types.hpp"

namespace levain::forecast {

/// E[D | D >= sold] when D = inverse(z + sigma * e), e drawn from the standardized shape
/// (standardized_quantile), clamped to [0, cap]; never below `sold`. The conditional mean is
/// taken over 64 equally likely levels of the tail above `sold`'s own level.
double censored_demand(double sold, double z, double sigma, const std::vector<double>& shape,
                       const ResponseTransform& transform, double cap);

/// `s`'s values with each sold-out day (Series::sold_out) replaced by its expected demand
/// (kImputationSteps E-steps from a fit that saw those days as missing); `s.y` itself when no
/// day is flagged. `s` has no leading or trailing NaN; `train_days` as for ForecastEngine.
std::vector<double> impute_sold_out(const Series& s, const HolidayCalendar& calendar,
                                    int train_days);

/// Sold-out days in `s` with an observed quantity.
int sold_out_days(const Series& s);

/// Enough for the imputations to settle on the demo data's capped series (the censor test):
/// each step moves them by a fraction of the last, and a step costs one refit.
inline constexpr int kImputationSteps = 12;

}  // namespace levain::forecast
