// The data report on crafted histories: gaps, a sold-out shape (a zero on a weekday that is never
// zero otherwise), a closed day (the whole shop at zero), a short and a stale product, and the
// last upload's refusals and replacements passed through.
#include "training/progress/data_report.hpp"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <chrono>
#include <cmath>

using namespace levain::training;
using levain::forecast::Date;
using levain::forecast::kNaN;
using levain::forecast::Series;
using namespace std::chrono;

namespace {

const Date kStart = sys_days{year{2025} / 1 / 6};  // a Monday

Series series(std::string name, std::size_t days, double value = 10, Date start = kStart) {
  Series s;
  s.product = std::move(name);
  s.start = start;
  s.y.assign(days, value);
  return s;
}

TEST(DataReport, CountsRangesAndRowsOfCleanHistories) {
  const auto r = data_report({"a", "b"}, {series("a", 140), series("b", 140)}, {});
  EXPECT_EQ(r.at("products").to_number<std::int64_t>(), 2);
  EXPECT_EQ(r.at("days").to_number<std::int64_t>(), 140);
  EXPECT_EQ(r.at("first_date").as_string(), "2025-01-06");
  EXPECT_EQ(r.at("last_date").as_string(), "2025-05-25");
  EXPECT_EQ(boost::json::serialize(r.at("rows_per_product")),
            R"({"min":140,"median":140,"max":140})");
  for (const char* k : {"products_with_gaps", "missing_days", "negative_values", "unknown_values",
                        "short_history_count", "stale_count", "closed_days_count",
                        "sold_out_days_count", "duplicates_replaced"}) {
    EXPECT_EQ(r.at(k).to_number<std::int64_t>(), 0) << k;
  }
}

TEST(DataReport, GapsSoldOutClosedShortStaleAndTheUpload) {
  auto a = series("a", 140);
  a.y[10] = kNaN;
  a.y[11] = kNaN;
  a.y[15] = 0;  // a Tuesday (day 15 from a Monday): a's Tuesdays never are zero otherwise
  auto b = series("b", 140);
  b.y[40] = kNaN;
  a.y[52] = 0;  // both at zero on day 52: the shop was closed, not sold out
  b.y[52] = 0;
  auto stale = series("stale", 45);  // sold until February only
  auto short_one = series("short", 30, 5, kStart + days{110});
  const auto r = data_report({"a", "b", "stale", "short", "none"},
                             {a, b, stale, short_one, std::nullopt}, {3, 2, 4});
  EXPECT_EQ(r.at("products_with_gaps").to_number<std::int64_t>(), 2);
  EXPECT_EQ(r.at("missing_days").to_number<std::int64_t>(), 3);
  EXPECT_EQ(r.at("gaps").as_array().front().at("product_name").as_string(), "a");  // worst first
  EXPECT_EQ(r.at("gaps").as_array().front().at("missing_days").to_number<std::int64_t>(), 2);
  EXPECT_EQ(boost::json::serialize(r.at("closed_days")), R"(["2025-02-27"])");
  EXPECT_EQ(boost::json::serialize(r.at("sold_out_days")),
            R"([{"product_name":"a","date":"2025-01-21"}])");
  EXPECT_EQ(boost::json::serialize(r.at("short_history")), R"(["stale","short","none"])");
  EXPECT_EQ(r.at("stale_count").to_number<std::int64_t>(), 1);
  EXPECT_EQ(r.at("stale").as_array().front().at("product_name").as_string(), "stale");
  EXPECT_EQ(r.at("stale").as_array().front().at("last_sale").as_string(), "2025-02-19");
  EXPECT_EQ(r.at("negative_values").to_number<std::int64_t>(), 3);
  EXPECT_EQ(r.at("unknown_values").to_number<std::int64_t>(), 2);
  EXPECT_EQ(r.at("duplicates_replaced").to_number<std::int64_t>(), 4);
}

TEST(DataReport, AZeroOnAWeekdayThatIsOftenZeroIsNotSoldOut) {
  auto s = series("sunday_closed", 140);
  for (std::size_t i = 6; i < s.y.size(); i += 7) s.y[i] = 0;  // every Sunday
  const auto r = data_report({"sunday_closed"}, {s}, {});
  EXPECT_EQ(r.at("sold_out_days_count").to_number<std::int64_t>(), 0);
  EXPECT_EQ(r.at("closed_days_count").to_number<std::int64_t>(),
            0);  // one product is not the whole shop
}

TEST(DataReport, AZeroOnAHolidayIsTheHolidayNotASellOut) {
  auto s = series("rye", 140);
  s.y[15] = 0;  // Tuesday 2025-01-21: unusual for rye, unless the bakery says it was a holiday
  levain::forecast::HolidayCalendar holidays;
  EXPECT_EQ(data_report({"rye"}, {s}, {}, &holidays).at("sold_out_days_count").to_number<int>(), 1);
  holidays.add(kStart + days{15}, "Fiesta local");
  EXPECT_EQ(data_report({"rye"}, {s}, {}, &holidays).at("sold_out_days_count").to_number<int>(), 0);
}

TEST(DataReport, ListsAreBoundedAndCountsAreNot) {
  std::vector<std::string> names;
  std::vector<std::optional<Series>> all;
  for (int i = 0; i < 50; ++i) {
    names.push_back("p" + std::to_string(i));
    auto s = series(names.back(), 20);
    s.y[3] = kNaN;
    all.push_back(s);
  }
  const auto r = data_report(names, all, {});
  EXPECT_EQ(r.at("gaps").as_array().size(), kReportListMax);
  EXPECT_EQ(r.at("products_with_gaps").to_number<std::int64_t>(), 50);
  EXPECT_EQ(r.at("short_history").as_array().size(), kReportListMax);
  EXPECT_EQ(r.at("short_history_count").to_number<std::int64_t>(), 50);
}

}  // namespace
