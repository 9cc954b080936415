#include "forecast/dates.hpp"

#include <cstdio>

namespace levain::forecast {
namespace {

bool parse_digits(std::string_view s, int& out) {
  out = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  return true;
}

}  // namespace

std::optional<Date> parse_iso_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  int y = 0;
  int m = 0;
  int d = 0;
  if (!parse_digits(s.substr(0, 4), y) || !parse_digits(s.substr(5, 2), m) ||
      !parse_digits(s.substr(8, 2), d)) {
    return std::nullopt;
  }
  return calendar_date(y, m, d);
}

std::optional<Date> calendar_date(int year, int month, int day) {
  if (year < 1 || year > 9999 || month < 1 || day < 1) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{year},
                                        std::chrono::month{static_cast<unsigned>(month)},
                                        std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return std::nullopt;
  return Date{ymd};
}

std::string format_iso_date(Date d) {
  const std::chrono::year_month_day ymd{d};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

int iso_weekday(Date d) { return static_cast<int>(std::chrono::weekday{d}.iso_encoding()) - 1; }

int day_of_year(Date d) {
  const std::chrono::year_month_day ymd{d};
  const Date jan1{ymd.year() / std::chrono::January / 1};
  return static_cast<int>((d - jan1).count());
}

Date make_date(int year, unsigned month, unsigned day) {
  return Date{std::chrono::year{year} / std::chrono::month{month} / std::chrono::day{day}};
}

}  // namespace levain::forecast
