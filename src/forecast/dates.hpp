#pragma once
/// Calendar dates as the CSV and JSON contracts write them (ISO 8601, YYYY-MM-DD), and the
/// weekday arithmetic the model and the demo generator share.

#include <optional>
#include <string>
#include <string_view>

#include "forecast/types.hpp"

namespace levain::forecast {

/// Strict YYYY-MM-DD (years 0001-9999) naming a real calendar date; anything else is nullopt.
std::optional<Date> parse_iso_date(std::string_view s);

/// The date of these parts when they name a real day of the years 0001-9999, else nullopt.
std::optional<Date> calendar_date(int year, int month, int day);

std::string format_iso_date(Date d);

/// 0 = Monday ... 6 = Sunday (ISO order, so weekend days are 5 and 6).
int iso_weekday(Date d);

/// Day of the year, 0-based (January 1 is 0).
int day_of_year(Date d);

/// Builds a date from its parts; the caller guarantees they form a valid date.
Date make_date(int year, unsigned month, unsigned day);

}  // namespace levain::forecast
