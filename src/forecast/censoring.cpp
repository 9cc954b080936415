#include "forecast/censoring.hpp"

#include <algorithm>
#include <cmath>

#include "forecast/engine.hpp"
#include "forecast/quantile.hpp"

namespace levain::forecast {
namespace {

constexpr int kTailLevels = 64;

}  // namespace

double censored_demand(double sold, double z, double sigma, const std::vector<double>& shape,
                       const ResponseTransform& transform, double cap) {
  const auto at_level = [&](double level) {
    const double v = transform.inverse(z + standardized_quantile(shape, level) * sigma);
    return std::isfinite(v) ? std::clamp(v, 0.0, cap) : (v > 0 ? cap : 0.0);
  };
  if (!std::isfinite(sold)) return sold;
  if (!(sigma > 0) || !std::isfinite(sigma) || !std::isfinite(z)) {
    return std::max(sold, at_level(0.5));
  }
  // The level at which the distribution reaches `sold` (quantiles are monotone in the level);
  // when all of it lies above `sold`, the condition says nothing and the mean is the plain mean.
  double lo = 1e-9;
  double hi = 1 - 1e-9;
  if (at_level(hi) <= sold) return sold;  // `sold` lies beyond the whole distribution
  if (at_level(lo) < sold) {
    for (int i = 0; i < 60; ++i) {
      const double mid = 0.5 * (lo + hi);
      (at_level(mid) < sold ? lo : hi) = mid;
    }
    lo = hi;
  }
  double sum = 0;
  for (int i = 0; i < kTailLevels; ++i) sum += at_level(lo + (1 - lo) * (i + 0.5) / kTailLevels);
  return std::max(sold, sum / kTailLevels);
}

int sold_out_days(const Series& s) {
  int count = 0;
  for (std::size_t d = 0; d < s.sold_out.size() && d < s.y.size(); ++d) {
    if (s.sold_out[d] != 0 && std::isfinite(s.y[d])) ++count;
  }
  return count;
}

std::vector<double> impute_sold_out(const Series& s, const HolidayCalendar& calendar,
                                    int train_days) {
  if (sold_out_days(s) == 0) return s.y;
  // The first fit sees the sold-out days as missing; the two ends stay, since the engine needs
  // an observed first and last day (and they are imputed like the others after it).
  Series missing = s;
  for (std::size_t d = 1; d + 1 < missing.y.size() && d < s.sold_out.size(); ++d) {
    if (s.sold_out[d] != 0) missing.y[d] = kNaN;
  }
  ForecastEngine engine(missing, calendar, train_days);
  return engine.impute_censored(s.sold_out, s.y, kImputationSteps);
}

}  // namespace levain::forecast
