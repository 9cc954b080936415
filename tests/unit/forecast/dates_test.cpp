#include "forecast/dates.hpp"

#include <gtest/gtest.h>

namespace levain::forecast {
namespace {

TEST(Dates, ParsesAndFormatsRoundTrip) {
  const auto d = parse_iso_date("2024-02-29");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(format_iso_date(*d), "2024-02-29");
  EXPECT_EQ(format_iso_date(make_date(1, 1, 1)), "0001-01-01");
  EXPECT_EQ(format_iso_date(make_date(9999, 12, 31)), "9999-12-31");
}

TEST(Dates, LeapYears) {
  EXPECT_TRUE(parse_iso_date("2000-02-29"));   // divisible by 400
  EXPECT_FALSE(parse_iso_date("1900-02-29"));  // divisible by 100 only
  EXPECT_FALSE(parse_iso_date("2023-02-29"));
  EXPECT_TRUE(parse_iso_date("2024-02-29"));
}

TEST(Dates, RejectsAnythingButStrictIso) {
  for (const char* bad :
       {"", "2024-2-01", "2024-02-1", "24-02-01", "2024/02/01", "2024-02-30", "2024-13-01",
        "2024-00-10", "2024-01-00", "0000-01-01", " 2024-01-01", "2024-01-01 ", "2024-01-01T00",
        "2024-0a-01", "+024-01-01", "2024-04-31"}) {
    EXPECT_FALSE(parse_iso_date(bad).has_value()) << bad;
  }
}

TEST(Dates, WeekdayAndDayOfYear) {
  EXPECT_EQ(iso_weekday(*parse_iso_date("2026-11-26")), 3);  // a Thursday
  EXPECT_EQ(iso_weekday(*parse_iso_date("2024-03-31")), 6);  // Easter Sunday
  EXPECT_EQ(day_of_year(*parse_iso_date("2024-01-01")), 0);
  EXPECT_EQ(day_of_year(*parse_iso_date("2024-12-31")), 365);
}

}  // namespace
}  // namespace levain::forecast
