#include "forecast/demo_data.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "forecast/csv.hpp"
#include "forecast/dates.hpp"

namespace levain::forecast {
namespace {

std::string demo(int products, int days, std::uint64_t seed) {
  std::ostringstream out;
  write_demo_csv(out, {.products = products, .days = days, .seed = seed});
  return out.str();
}

TEST(DemoData, DeterministicPerSeed) {
  EXPECT_EQ(demo(5, 60, 1), demo(5, 60, 1));
  EXPECT_NE(demo(5, 60, 1), demo(5, 60, 2));
}

TEST(DemoData, ParsesCleanlyWithExpectedShape) {
  const auto parsed = parse_sales_csv(demo(30, 50, 42));
  ASSERT_EQ(parsed.fatal_error, "");
  EXPECT_EQ(parsed.rejected_total, 0u);
  EXPECT_EQ(parsed.rows.size(), 30u * 50u);
  EXPECT_EQ(format_iso_date(parsed.rows.back().date), "2026-11-26");
  std::set<std::string> names;
  for (const auto& r : parsed.rows) names.insert(r.product);
  EXPECT_EQ(names.size(), 30u);
  EXPECT_TRUE(names.contains("Baguette"));
  EXPECT_TRUE(names.contains("Baguette 2"));  // numbered variants beyond the catalogue
}

TEST(DemoData, HasTheStatedPatterns) {
  const auto parsed = parse_sales_csv(demo(25, 3 * 365, 42));
  ASSERT_EQ(parsed.fatal_error, "");
  std::map<std::string, std::map<int, std::pair<double, int>>> weekday;  // product -> wd -> sum
  double august = 0, october = 0;
  double roscon_peak = 0, roscon_rest = 0;
  int roscon_peak_days = 0, roscon_rest_days = 0;
  int ensaimada_zero = 0, ensaimada_days = 0;
  for (const auto& r : parsed.rows) {
    auto& cell = weekday[r.product][iso_weekday(r.date)];
    cell.first += r.quantity;
    cell.second += 1;
    const std::chrono::year_month_day ymd{r.date};
    if (ymd.month() == std::chrono::August) august += r.quantity;
    if (ymd.month() == std::chrono::October) october += r.quantity;
    if (r.product == "Roscón de Reyes") {
      const bool peak = ymd.month() == std::chrono::January &&
                        (ymd.day() == std::chrono::day{5} || ymd.day() == std::chrono::day{6});
      (peak ? roscon_peak : roscon_rest) += r.quantity;
      ++(peak ? roscon_peak_days : roscon_rest_days);
    }
    if (r.product == "Ensaimada") {
      ++ensaimada_days;
      if (r.quantity == 0) ++ensaimada_zero;
    }
  }
  const auto mean = [&](const std::string& p, int wd) {
    return weekday[p][wd].first / weekday[p][wd].second;
  };
  EXPECT_GT(mean("Baguette", 5), 1.2 * mean("Baguette", 1));    // Saturday peak for bread
  EXPECT_GT(mean("Croissant", 6), 1.5 * mean("Croissant", 1));  // Sunday peak for pastries
  EXPECT_EQ(mean("Barra integral", 6), 0.0);                    // a shop closed on Sundays
  EXPECT_LT(august, 0.9 * october);                             // summer dip (both 31 days)
  EXPECT_GT(roscon_peak / roscon_peak_days, 50 * roscon_rest / roscon_rest_days);
  EXPECT_GT(ensaimada_zero, ensaimada_days / 5);  // intermittent
}

TEST(DemoData, RejectsBadOptions) {
  std::ostringstream out;
  EXPECT_THROW(write_demo_csv(out, {.products = 0}), std::invalid_argument);
  EXPECT_THROW(write_demo_csv(out, {.products = 5001}), std::invalid_argument);
  EXPECT_THROW(write_demo_csv(out, {.days = 0}), std::invalid_argument);
  EXPECT_THROW(write_demo_csv(out, {.days = 20001}), std::invalid_argument);
}

}  // namespace
}  // namespace levain::forecast
