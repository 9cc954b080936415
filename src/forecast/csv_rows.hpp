#pragma once
/// The data-row loop both CSV uploads share (sales, holiday calendars): the row limit, and the
/// bookkeeping of rejected rows with their line numbers, in one place.

#include <string>
#include <vector>

#include "forecast/csv.hpp"
#include "forecast/csv_reader.hpp"

namespace levain::forecast {

/// "expected 3 fields, found 1", naming the separator when the line seems to use another one
/// than its header (a row pasted in from another file, a header typed by hand).
inline std::string field_count_problem(const CsvRecord& rec, std::size_t width, char separator) {
  std::string out =
      "expected " + std::to_string(width) + " fields, found " + std::to_string(rec.fields.size());
  if (rec.fields.size() >= width) return out;
  for (const char other : {',', ';', '\t'}) {
    if (other == separator) continue;
    for (const auto& field : rec.fields) {
      if (field.find(other) == std::string::npos) continue;
      return out + ": the header uses " + separator_name(separator) +
             " but this line seems to use " + separator_name(other);
    }
  }
  return out;
}

/// Calls `accept(record)` for every data row; it returns "" for a row it took, or the reason it
/// refused it. Returns a fatal error ("too many rows", "no data rows") or "".
template <class Accept>
std::string read_data_rows(CsvReader& reader, const CsvLimits& limits,
                           std::vector<CsvRejection>& rejected, std::size_t& rejected_total,
                           Accept&& accept) {
  CsvRecord rec;
  std::size_t data_rows = 0;
  while (reader.next(rec)) {
    if (++data_rows > limits.max_rows) {
      return "too many rows: more than " + std::to_string(limits.max_rows) + " data rows";
    }
    std::string reason = accept(rec);
    if (reason.empty()) continue;
    ++rejected_total;
    if (rejected.size() < limits.max_rejections_reported) {
      rejected.push_back({rec.line, std::move(reason)});
    }
  }
  return data_rows == 0 ? "no data rows after the header" : "";
}

}  // namespace levain::forecast
