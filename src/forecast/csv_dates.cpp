#include "forecast/csv_dates.hpp"

#include "forecast/csv_reader.hpp"
#include "forecast/dates.hpp"

namespace levain::forecast {
namespace {

struct SlashParts {
  int first = 0;
  int second = 0;
  int year = 0;
};

// D/M/YYYY with one or two digits for the first two parts, as spreadsheets write them.
std::optional<SlashParts> slash_parts(std::string_view s) {
  SlashParts p;
  int* const parts[] = {&p.first, &p.second, &p.year};
  const std::size_t max_digits[] = {2, 2, 4};
  std::size_t i = 0;
  for (std::size_t k = 0; k < 3; ++k) {
    if (k > 0) {
      if (i >= s.size() || s[i] != '/') return std::nullopt;
      ++i;
    }
    std::size_t digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && digits < max_digits[k]) {
      *parts[k] = *parts[k] * 10 + (s[i++] - '0');
      ++digits;
    }
    if (digits == 0 || (k == 2 && digits != 4)) return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  return p;
}

std::optional<Date> in_order(const SlashParts& p, DateFormat f) {
  return f == DateFormat::day_first ? calendar_date(p.year, p.second, p.first)
                                    : calendar_date(p.year, p.first, p.second);
}

std::string_view pattern(DateFormat f) {
  return f == DateFormat::day_first ? "DD/MM/YYYY" : "MM/DD/YYYY";
}

}  // namespace

std::optional<DateFormat> parse_date_format(std::string_view text) {
  const auto key = ascii_lower(text);
  if (key.empty() || key == "auto") return DateFormat::automatic;
  if (key == "iso" || key == "yyyy-mm-dd") return DateFormat::iso;
  if (key == "dd/mm/yyyy") return DateFormat::day_first;
  if (key == "mm/dd/yyyy") return DateFormat::month_first;
  return std::nullopt;
}

CsvDates::CsvDates(DateFormat format, std::string_view body, std::size_t max_line_bytes,
                   std::size_t column)
    : format_(format), body_(body), max_line_bytes_(max_line_bytes), column_(column) {
  if (format_ == DateFormat::day_first) why_ = "that ?date_format=dd/mm/yyyy names";
  if (format_ == DateFormat::month_first) why_ = "that ?date_format=mm/dd/yyyy names";
}

std::string CsvDates::read(std::string_view text, Date& out) {
  if (const auto iso = parse_iso_date(text)) {
    out = *iso;
    return "";
  }
  const auto parts = slash_parts(text);
  if (!parts) return "invalid date '" + std::string(text) + "' (expected YYYY-MM-DD)";
  if (format_ == DateFormat::automatic && !looked_ahead_) decide();
  if (!fatal_.empty()) return fatal_;
  if (format_ == DateFormat::iso) {
    return "invalid date '" + std::string(text) +
           "' (expected YYYY-MM-DD, as ?date_format=iso asks)";
  }
  if (format_ == DateFormat::automatic) {  // no slash date in the file is real in either order
    return "invalid date '" + std::string(text) + "' (no such day as DD/MM/YYYY or MM/DD/YYYY)";
  }
  if (const auto d = in_order(*parts, format_)) {
    out = *d;
    return "";
  }
  return "invalid date '" + std::string(text) + "' (no such day as " +
         std::string(pattern(format_)) + ", the order " + why_ + ")";
}

// Reads the date column ahead, once, until a slash date is real in one order only.
void CsvDates::decide() {
  looked_ahead_ = true;
  CsvReader reader(body_, max_line_bytes_);
  CsvRecord rec;
  if (!reader.next(rec)) return;  // the header
  std::string ambiguous;
  while (reader.next(rec)) {
    if (!rec.error.empty() || rec.fields.size() <= column_) continue;
    const std::string& text = rec.fields[column_];
    const auto parts = slash_parts(text);
    if (!parts) continue;
    const bool day_first = in_order(*parts, DateFormat::day_first).has_value();
    const bool month_first = in_order(*parts, DateFormat::month_first).has_value();
    if (day_first != month_first) {
      format_ = day_first ? DateFormat::day_first : DateFormat::month_first;
      why_ = "that line " + std::to_string(rec.line) + " ('" + text + "') shows";
      return;
    }
    if (day_first && ambiguous.empty()) {
      ambiguous = "line " + std::to_string(rec.line) + " has '" + text + "'";
    }
  }
  if (!ambiguous.empty()) {
    fatal_ = "the dates use '/' and every one reads both as DD/MM/YYYY and as MM/DD/YYYY (" +
             ambiguous + "): name the order with ?date_format=dd/mm/yyyy or " +
             "?date_format=mm/dd/yyyy, or write dates as YYYY-MM-DD";
  }
}

}  // namespace levain::forecast
