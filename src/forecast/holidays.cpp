#include "forecast/holidays.hpp"

#include <algorithm>
#include <set>

#include "forecast/dates.hpp"

namespace levain::forecast {

void HolidayCalendar::add(Date d, std::string name) {
  auto& names = days_[d];
  if (std::find(names.begin(), names.end(), name) == names.end()) {
    names.push_back(std::move(name));
  }
}

bool HolidayCalendar::contains(Date d) const { return days_.contains(d); }

const std::vector<std::string>* HolidayCalendar::names_on(Date d) const {
  const auto it = days_.find(d);
  return it == days_.end() ? nullptr : &it->second;
}

std::vector<std::string> HolidayCalendar::distinct_names() const {
  std::set<std::string> names;
  for (const auto& [day, list] : days_) names.insert(list.begin(), list.end());
  return {names.begin(), names.end()};
}

std::vector<Holiday> HolidayCalendar::entries() const {
  std::vector<Holiday> out;
  for (const auto& [day, names] : days_) {
    for (const auto& name : names) out.push_back({day, name});
  }
  return out;
}

Date easter_sunday(int year) {
  // Anonymous Gregorian computus: golden number, century corrections, then the weekday shift.
  const int a = year % 19;
  const int b = year / 100;
  const int c = year % 100;
  const int d = b / 4;
  const int e = b % 4;
  const int f = (b + 8) / 25;
  const int g = (b - f + 1) / 3;
  const int h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4;
  const int k = c % 4;
  const int l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int month = (h + l - 7 * m + 114) / 31;
  const int day = (h + l - 7 * m + 114) % 31 + 1;
  return make_date(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
}

HolidayCalendar HolidayCalendar::spain(int first_year, int last_year) {
  HolidayCalendar cal;
  first_year = std::clamp(first_year, 1, 9999);
  last_year = std::clamp(last_year, 1, 9999);
  struct Fixed {
    unsigned month;
    unsigned day;
    const char* name;
  };
  static constexpr Fixed kFixed[] = {
      {1, 1, "Año Nuevo"},          {1, 6, "Epifanía"},
      {5, 1, "Fiesta del Trabajo"}, {8, 15, "Asunción"},
      {10, 12, "Fiesta Nacional"},  {11, 1, "Todos los Santos"},
      {12, 6, "Constitución"},      {12, 8, "Inmaculada Concepción"},
      {12, 25, "Navidad"},
  };
  for (int y = first_year; y <= last_year; ++y) {
    for (const auto& f : kFixed) cal.add(make_date(y, f.month, f.day), f.name);
    cal.add(easter_sunday(y) - std::chrono::days{2}, "Viernes Santo");
  }
  return cal;
}

}  // namespace levain::forecast
