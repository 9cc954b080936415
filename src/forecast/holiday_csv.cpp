#include <optional>

#include "forecast/csv_reader.hpp"
#include "forecast/csv_rows.hpp"
#include "forecast/dates.hpp"
#include "forecast/holidays.hpp"

namespace levain::forecast {
namespace {

std::string read_row(const CsvRecord& rec, std::size_t date_col, std::size_t name_col,
                     std::size_t width, const CsvLimits& limits, Date& date, std::string& name) {
  if (!rec.error.empty()) return rec.error;
  if (rec.fields.size() != width) {
    return "expected " + std::to_string(width) + " fields, found " +
           std::to_string(rec.fields.size());
  }
  const std::string& text = rec.fields[date_col];
  const auto parsed = parse_iso_date(text);
  if (!parsed) return "invalid date '" + text + "' (expected YYYY-MM-DD)";
  name = rec.fields[name_col];
  if (name.empty()) return "empty holiday name";
  if (name.size() > limits.max_product_name) {
    return "holiday name longer than " + std::to_string(limits.max_product_name) + " bytes";
  }
  if (const auto problem = name_problem(name); !problem.empty()) {
    return "holiday name " + problem;
  }
  date = *parsed;
  return "";
}

}  // namespace

HolidayCsvResult parse_holiday_csv(std::string_view body, const CsvLimits& limits) {
  HolidayCsvResult result;
  CsvReader reader(body, limits.max_line_bytes);
  CsvRecord rec;
  if (!reader.next(rec)) {
    result.fatal_error = "empty body: expected a header row date,holiday";
    return result;
  }
  std::optional<std::size_t> date_col, name_col;
  if (rec.error.empty()) {
    for (std::size_t i = 0; i < rec.fields.size(); ++i) {
      const auto key = ascii_lower(rec.fields[i]);
      if (key == "date" && !date_col) date_col = i;
      if (key == "holiday" && !name_col) name_col = i;
    }
  }
  if (!date_col || !name_col || rec.fields.size() != 2) {
    result.fatal_error = rec.error.empty() ? "bad header row: expected date,holiday"
                                           : "bad header row: " + rec.error;
    return result;
  }
  auto fatal = read_data_rows(
      reader, limits, result.rejected, result.rejected_total, [&](const CsvRecord& row) {
        Date date{};
        std::string name;
        auto reason = read_row(row, *date_col, *name_col, 2, limits, date, name);
        if (reason.empty()) {
          result.calendar.add(date, std::move(name));
          ++result.accepted;
        }
        return reason;
      });
  if (!fatal.empty()) {
    result = HolidayCsvResult{};
    result.fatal_error = std::move(fatal);
  }
  return result;
}

}  // namespace levain::forecast
