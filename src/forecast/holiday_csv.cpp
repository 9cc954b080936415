#include <optional>

#include "forecast/csv_dates.hpp"
#include "forecast/csv_reader.hpp"
#include "forecast/csv_rows.hpp"
#include "forecast/holidays.hpp"

namespace levain::forecast {
namespace {

struct Columns {
  char separator = ',';
  std::size_t date = 0;
  std::size_t name = 0;
};

std::string read_row(const CsvRecord& rec, const Columns& cols, const CsvLimits& limits,
                     CsvDates& dates, Date& date, std::string& name) {
  if (!rec.error.empty()) return rec.error;
  if (rec.fields.size() != 2) return field_count_problem(rec, 2, cols.separator);
  if (auto problem = dates.read(rec.fields[cols.date], date); !problem.empty()) return problem;
  name = rec.fields[cols.name];
  if (name.empty()) return "empty holiday name";
  if (name.size() > limits.max_product_name) {
    return "holiday name longer than " + std::to_string(limits.max_product_name) + " bytes";
  }
  if (const auto problem = name_problem(name); !problem.empty()) {
    return "holiday name " + problem;
  }
  return "";
}

}  // namespace

HolidayCsvResult parse_holiday_csv(std::string_view body, const CsvLimits& limits,
                                   DateFormat date_format) {
  HolidayCsvResult result;
  result.fatal_error = encoding_problem(body);
  if (!result.fatal_error.empty()) return result;
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
    result.fatal_error = rec.error.empty()
                             ? "bad header row: expected the two columns date and holiday; " +
                                   header_as_read(rec, reader.separator())
                             : "bad header row: " + rec.error;
    return result;
  }
  const Columns cols{reader.separator(), *date_col, *name_col};
  CsvDates dates(date_format, body, limits.max_line_bytes, cols.date);
  auto fatal = read_data_rows(reader, limits, result.rejected, result.rejected_total,
                              [&](const CsvRecord& row) {
                                Date date{};
                                std::string name;
                                auto reason = read_row(row, cols, limits, dates, date, name);
                                if (reason.empty()) {
                                  result.calendar.add(date, std::move(name));
                                  ++result.accepted;
                                }
                                return reason;
                              });
  if (fatal.empty()) fatal = dates.fatal_error();
  if (!fatal.empty()) {
    result = HolidayCsvResult{};
    result.fatal_error = std::move(fatal);
  }
  return result;
}

}  // namespace levain::forecast
