#pragma once
/// The data-row loop both CSV uploads share (sales, holiday calendars): the row limit, and the
/// bookkeeping of rejected rows with their line numbers, in one place.

#include <string>
#include <vector>

#include "forecast/csv.hpp"
#include "forecast/csv_reader.hpp"

namespace levain::forecast {

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
