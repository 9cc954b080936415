#pragma once
/// Holiday calendars: date -> holiday name(s). The model turns each distinct name into its own
/// effect. Spain's national holidays are built in; a tenant may upload its own (`date,holiday`).

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "forecast/csv.hpp"
#include "forecast/types.hpp"

namespace levain::forecast {

struct Holiday {
  Date date;
  std::string name;
};

class HolidayCalendar {
 public:
  /// Adds `name` on `d`; adding the same name twice on one day is a no-op.
  void add(Date d, std::string name);
  bool contains(Date d) const;
  /// The names on `d`, or nullptr when `d` is not a holiday.
  const std::vector<std::string>* names_on(Date d) const;
  /// Every name in the calendar, sorted, each once.
  std::vector<std::string> distinct_names() const;
  bool empty() const { return days_.empty(); }
  std::size_t size() const { return days_.size(); }  // number of holiday dates
  /// Every (date, name) pair, by date, names of one day in the order they were added.
  std::vector<Holiday> entries() const;

  /// Spain's national holidays for the years [first_year, last_year] (clamped to 1..9999),
  /// including Good Friday, computed from the Gregorian Easter date.
  static HolidayCalendar spain(int first_year, int last_year);

 private:
  std::map<Date, std::vector<std::string>> days_;
};

/// Gregorian Easter Sunday of `year`.
Date easter_sunday(int year);

struct HolidayCsvResult {
  std::string fatal_error;  // non-empty => nothing usable, calendar is empty
  HolidayCalendar calendar;
  std::size_t accepted = 0;
  std::vector<CsvRejection> rejected;  // at most limits.max_rejections_reported
  std::size_t rejected_total = 0;
};

/// Parses a tenant calendar: header `date,holiday` (case-insensitive, any order), one holiday
/// per row; several rows may share a date. Uses the sales limits (max_product_name bounds the
/// holiday name), reads separators and dates like it, and reports row errors the same way.
HolidayCsvResult parse_holiday_csv(std::string_view body, const CsvLimits& limits = {},
                                   DateFormat date_format = DateFormat::automatic);

}  // namespace levain::forecast
