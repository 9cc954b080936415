#include "forecast/holidays.hpp"

#include <gtest/gtest.h>

#include "forecast/dates.hpp"

namespace levain::forecast {
namespace {

Date d(const char* s) { return *parse_iso_date(s); }

TEST(Holidays, EasterAndGoodFriday) {
  EXPECT_EQ(format_iso_date(easter_sunday(2024)), "2024-03-31");
  EXPECT_EQ(format_iso_date(easter_sunday(2025)), "2025-04-20");
  EXPECT_EQ(format_iso_date(easter_sunday(2026)), "2026-04-05");
  EXPECT_EQ(format_iso_date(easter_sunday(2000)), "2000-04-23");
  EXPECT_EQ(format_iso_date(easter_sunday(2038)), "2038-04-25");  // latest possible date
  const auto spain = HolidayCalendar::spain(2024, 2026);
  for (const char* gf : {"2024-03-29", "2025-04-18", "2026-04-03"}) {
    const auto* names = spain.names_on(d(gf));
    ASSERT_NE(names, nullptr) << gf;
    EXPECT_EQ(names->front(), "Viernes Santo");
  }
}

TEST(Holidays, SpainNationalDays) {
  const auto spain = HolidayCalendar::spain(2025, 2025);
  EXPECT_EQ(spain.size(), 10u);
  for (const char* day : {"2025-01-01", "2025-01-06", "2025-05-01", "2025-08-15", "2025-10-12",
                          "2025-11-01", "2025-12-06", "2025-12-08", "2025-12-25"}) {
    EXPECT_TRUE(spain.contains(d(day))) << day;
  }
  EXPECT_EQ(spain.names_on(d("2025-12-25"))->front(), "Navidad");
  EXPECT_EQ(spain.names_on(d("2025-01-06"))->front(), "Epifanía");
  EXPECT_FALSE(spain.contains(d("2025-12-24")));
  EXPECT_FALSE(spain.contains(d("2024-12-25")));  // outside the range
  EXPECT_EQ(spain.distinct_names().size(), 10u);
  EXPECT_TRUE(HolidayCalendar::spain(2026, 2025).empty());
}

TEST(Holidays, AddDeduplicatesPerDay) {
  HolidayCalendar cal;
  cal.add(d("2024-07-25"), "Santiago");
  cal.add(d("2024-07-25"), "Santiago");
  cal.add(d("2024-07-25"), "Fiesta local");
  EXPECT_EQ(cal.names_on(d("2024-07-25"))->size(), 2u);
  EXPECT_EQ(cal.names_on(d("2024-07-26")), nullptr);
  EXPECT_EQ(cal.distinct_names(), (std::vector<std::string>{"Fiesta local", "Santiago"}));
}

TEST(HolidayCsv, ParsesRowsAndReportsErrors) {
  const auto r = parse_holiday_csv(
      "Date,Holiday\r\n2024-07-25,Santiago\r\n2024-07-25,\"Fiesta, local\"\r\n"
      "2024-02-30,Nope\r\n2024-08-01,\r\n2024-08-02\r\n");
  ASSERT_EQ(r.fatal_error, "");
  EXPECT_EQ(r.accepted, 2u);
  EXPECT_EQ(r.calendar.names_on(d("2024-07-25"))->size(), 2u);
  ASSERT_EQ(r.rejected.size(), 3u);
  EXPECT_EQ(r.rejected[0].line, 4u);
  EXPECT_EQ(r.rejected[0].reason, "invalid date '2024-02-30' (expected YYYY-MM-DD)");
  EXPECT_EQ(r.rejected[1].reason, "empty holiday name");
  EXPECT_EQ(r.rejected[2].reason, "expected 2 fields, found 1");
  EXPECT_EQ(r.rejected_total, 3u);
}

TEST(HolidayCsv, FatalErrors) {
  EXPECT_NE(parse_holiday_csv("").fatal_error, "");
  EXPECT_NE(parse_holiday_csv("date,name\n2024-01-01,x\n").fatal_error, "");
  EXPECT_NE(parse_holiday_csv("date,holiday\n").fatal_error, "");
}

}  // namespace
}  // namespace levain::forecast
