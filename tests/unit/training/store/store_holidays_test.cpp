// Store holiday calendars (both backends): replace-all semantics, ordering, tenant isolation.
#include <gtest/gtest.h>

#include "store/store_backends.hpp"

namespace levain::training {
namespace {

using namespace std::chrono;

forecast::Date day(int y, unsigned m, unsigned d) { return sys_days{year{y} / month{m} / d}; }

bool same(const std::vector<HolidayRow>& a, const std::vector<HolidayRow>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].date != b[i].date || a[i].name != b[i].name) return false;
  }
  return true;
}

class StoreHolidays : public testing::StoreTest {};

TEST_P(StoreHolidays, EmptyCalendarLoadsEmpty) { EXPECT_TRUE(store_.load_holidays("t").empty()); }

TEST_P(StoreHolidays, LoadsSortedByDateThenName) {
  store_.replace_holidays("t", {{day(2024, 12, 25), "Christmas"},
                                {day(2024, 1, 1), "New Year"},
                                {day(2024, 12, 25), "Bank holiday"}});
  EXPECT_TRUE(same(store_.load_holidays("t"), {{day(2024, 1, 1), "New Year"},
                                               {day(2024, 12, 25), "Bank holiday"},
                                               {day(2024, 12, 25), "Christmas"}}));
}

TEST_P(StoreHolidays, ReplaceDropsTheOldCalendarAndDuplicatesCollapse) {
  store_.replace_holidays("t", {{day(2024, 1, 1), "New Year"}});
  store_.replace_holidays("t", {{day(2025, 5, 1), "Labour"}, {day(2025, 5, 1), "Labour"}});
  EXPECT_TRUE(same(store_.load_holidays("t"), {{day(2025, 5, 1), "Labour"}}));
  store_.replace_holidays("t", {});
  EXPECT_TRUE(store_.load_holidays("t").empty());
}

TEST_P(StoreHolidays, TenantsAreIsolated) {
  store_.replace_holidays("a", {{day(2024, 1, 1), "New Year"}});
  store_.replace_holidays("b", {{day(2024, 7, 4), "Independence"}});
  store_.replace_holidays("a", {});
  EXPECT_TRUE(store_.load_holidays("a").empty());
  EXPECT_TRUE(same(store_.load_holidays("b"), {{day(2024, 7, 4), "Independence"}}));
}

TEST_P(StoreHolidays, CalendarSurvivesReopen) {
  store_.replace_holidays("t", {{day(1999, 12, 31), "Eve"}});
  owned_.reset();
  EXPECT_TRUE(same(db_.open()->load_holidays("t"), {{day(1999, 12, 31), "Eve"}}));
}

LEVAIN_STORE_BACKENDS(StoreHolidays);

}  // namespace
}  // namespace levain::training
