#pragma once
/// Parser for the sales upload (`POST .../sales`): a CSV body with a header row
/// `date,product,quantity[,sold_out][,sold_out_at][,regressor...]`, as written by hand, by scripts
/// or by a spreadsheet in any locale (README "CSV format"). It never throws on content: every bad
/// row is reported with its line number and a reason a person can act on, and the good rows are
/// kept.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "forecast/csv_dates.hpp"
#include "forecast/types.hpp"

namespace levain::forecast {

struct CsvLimits {
  std::size_t max_rows = 2'000'000;  // data rows (accepted + rejected); beyond it the body is fatal
  std::size_t max_line_bytes = 4096;
  std::size_t max_rejections_reported = 1000;
  std::size_t max_product_name = 200;  // bytes
  std::size_t max_regressors = 16;
};

struct CsvRejection {
  std::size_t line;  // 1-based line number in the body (the header is line 1)
  std::string reason;
};

struct CsvParseResult {
  std::string fatal_error;  // non-empty => the whole body is unusable and rows is empty
  std::vector<std::string> regressor_names;
  std::vector<Observation> rows;       // accepted rows, in body order (duplicates kept: last wins)
  std::vector<CsvRejection> rejected;  // at most max_rejections_reported entries
  std::size_t rejected_total = 0;      // every rejected row, even beyond the reported ones
  // Of those, the rows refused for their quantity (the job's data report counts them).
  std::size_t negative_quantity = 0;
  std::size_t unknown_quantity = 0;  // empty or not a number
};

/// Header names are matched case-insensitively after trimming; the three required columns may
/// come in any order. `sold_out` (0/1, true/false, yes/no) and `sold_out_at` (HH:MM) mark a day
/// the product ran out (Observation::sold_out); every other column is a numeric regressor (its
/// name kept as written).
/// An empty regressor cell means "unknown" and is stored as NaN; a non-numeric one rejects the
/// row. Blank lines are skipped. Quoted fields use "" for a quote and cannot span lines.
/// The separator is the header's (',' ';' or tab); with ';' numbers may use a decimal comma.
/// Dates are YYYY-MM-DD, or DD/MM/YYYY / MM/DD/YYYY as `date_format` says or the file proves.
CsvParseResult parse_sales_csv(std::string_view body, const CsvLimits& limits = {},
                               DateFormat date_format = DateFormat::automatic);

}  // namespace levain::forecast
