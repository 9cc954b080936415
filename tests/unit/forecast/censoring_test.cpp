// Sold-out days as censored observations: the conditional mean above a sold quantity, and a fit
// that recovers known demand from series capped at a fixed bake.
#include "forecast/censoring.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "forecast/dates.hpp"
#include "forecast/model.hpp"

namespace levain::forecast {
namespace {

const ResponseTransform kIdentity{.log = false, .offset = 1};

TEST(CensoredDemand, IsTheNormalsTailMeanAboveTheSoldQuantity) {
  // E[D | D >= mu] for D ~ N(mu, s^2) is mu + s * phi(0) / 0.5 = mu + 0.7979 s.
  EXPECT_NEAR(censored_demand(10, 10, 2, {}, kIdentity, 1e9), 10 + 2 * 0.7979, 0.05);
  // One sigma up: mu + s * phi(1) / (1 - Phi(1)) = mu + 1.525 s.
  EXPECT_NEAR(censored_demand(12, 10, 2, {}, kIdentity, 1e9), 10 + 2 * 1.525, 0.08);
}

TEST(CensoredDemand, NeverBelowWhatWasSoldAndThePlainMeanWhenTheBoundSaysNothing) {
  EXPECT_NEAR(censored_demand(0, 50, 2, {}, kIdentity, 1e9), 50, 0.01);
  EXPECT_GE(censored_demand(80, 10, 2, {}, kIdentity, 1e9), 80);  // far in the tail
  EXPECT_EQ(censored_demand(7, 10, 0, {}, kIdentity, 1e9), 10);   // no spread: the location
  EXPECT_EQ(censored_demand(70, 10, 2, {}, kIdentity, 40), 70);   // beyond the cap
  // On the log scale the tail mean is in units too, and monotone in what was sold.
  const ResponseTransform log{.log = true, .offset = 1};
  const double a = censored_demand(20, std::log(21.0), 0.3, {}, log, 1e9);
  const double b = censored_demand(30, std::log(21.0), 0.3, {}, log, 1e9);
  EXPECT_GT(a, 20);
  EXPECT_GT(b, a);
}

TEST(CensoredDemand, AnEmpiricalShapeSkewsTheTail) {
  std::vector<double> shape;  // right-skewed: a long upper tail
  for (int i = 0; i < 100; ++i) shape.push_back(i < 80 ? -0.5 + i * 0.01 : 0.3 + (i - 80) * 0.3);
  EXPECT_GT(censored_demand(10, 10, 2, shape, kIdentity, 1e9),
            censored_demand(10, 10, 2, {}, kIdentity, 1e9));
}

// Two years of a weekly pattern with noise, demand capped at a fixed bake (its 70th percentile).
struct Capped {
  Series flagged;
  Series ignored;
  std::vector<double> future;  // true mean demand of the next 28 days
};

Capped make_capped() {
  constexpr double kWeekday[7] = {-8, -4, 0, 4, 8, 25, -25};
  const Date start = *parse_iso_date("2024-01-01");  // a Monday
  std::mt19937_64 rng(17);
  std::normal_distribution<double> noise(0.0, 6.0);
  Capped c;
  c.flagged.product = "Pan";
  c.flagged.start = start;
  std::vector<double> demand;
  for (int d = 0; d < 728; ++d) {
    demand.push_back(std::max(0.0, 100 + kWeekday[d % 7] + noise(rng)));
  }
  for (int d = 728; d < 756; ++d) c.future.push_back(100 + kWeekday[d % 7]);
  std::vector<double> sorted = demand;
  std::sort(sorted.begin(), sorted.end());
  const double bake = std::round(sorted[sorted.size() * 7 / 10]);
  for (const double v : demand) {
    c.flagged.y.push_back(std::min(v, bake));
    c.flagged.sold_out.push_back(v >= bake ? 1 : 0);
  }
  c.ignored = c.flagged;
  c.ignored.sold_out.clear();
  return c;
}

double bias(const FitReport& r, const std::vector<double>& truth) {
  double sum = 0;
  for (std::size_t k = 0; k < truth.size(); ++k) sum += r.forecast.at(k).yhat - truth[k];
  return sum / static_cast<double>(truth.size());
}

TEST(CensoredFit, RecoversTheDemandACappedSeriesHides) {
  const Capped c = make_capped();
  ASSERT_EQ(sold_out_days(c.flagged), 210);  // 29% of the days
  const HolidayCalendar none;
  const ModelOptions options{.horizon_days = 28, .holidays = &none};
  const FitReport knows = fit_and_forecast(c.flagged, options);
  const FitReport ignores = fit_and_forecast(c.ignored, options);
  ASSERT_FALSE(knows.fallback) << knows.fallback_reason;
  const double with_flag = bias(knows, c.future);
  const double without_flag = bias(ignores, c.future);
  EXPECT_LT(without_flag, -3) << "capping hides demand from a fit that takes sales as demand";
  EXPECT_LT(std::abs(with_flag), 0.5 * std::abs(without_flag));
  EXPECT_LT(std::abs(with_flag), 1.5) << "within about a quarter of the noise";
  // The busiest day, always above the bake, is forecast above it, not at it.
  EXPECT_GT(knows.forecast.at(5).yhat, ignores.forecast.at(5).yhat + 10);
}

TEST(CensoredFit, AFlagOnTheLastDayIsImputedAndNoFlagChangesNothing) {
  Capped c = make_capped();
  const HolidayCalendar none;
  const std::vector<double> plain = impute_sold_out(c.ignored, none, 700);
  EXPECT_EQ(plain, c.ignored.y);
  c.flagged.sold_out.back() = 1;
  const std::vector<double> imputed = impute_sold_out(c.flagged, none, 700);
  ASSERT_EQ(imputed.size(), c.flagged.y.size());
  EXPECT_GE(imputed.back(), c.flagged.y.back());
  for (std::size_t d = 0; d < imputed.size(); ++d) {
    if (c.flagged.sold_out[d] == 0) {
      ASSERT_EQ(imputed[d], c.flagged.y[d]) << d;
    } else {
      ASSERT_GE(imputed[d], c.flagged.y[d]) << d;
    }
  }
}

}  // namespace
}  // namespace levain::forecast
