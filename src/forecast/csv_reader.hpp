#pragma once
/// Line-by-line CSV tokenizer shared by the sales and holiday-calendar parsers: one place that
/// knows about BOMs, CRLF, quoting and line limits, so both uploads report errors the same way.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace levain::forecast {

/// One physical line of the body split into fields. A record never spans lines: a quoted field
/// left open at the end of its line is an error, which keeps line numbers exact.
struct CsvRecord {
  std::size_t line = 0;             // 1-based
  std::vector<std::string> fields;  // unquoted and trimmed of surrounding blanks
  std::string error;                // non-empty when the line could not be split
};

class CsvReader {
 public:
  CsvReader(std::string_view body, std::size_t max_line_bytes);

  /// Fills `out` with the next non-blank line; false at the end of the body.
  bool next(CsvRecord& out);

 private:
  std::string_view body_;
  std::size_t pos_ = 0;
  std::size_t line_ = 0;
  std::size_t max_line_bytes_;
};

/// Splits one line (without its terminator) into fields; returns an error sentence or "".
std::string split_csv_line(std::string_view line, std::vector<std::string>& fields);

/// Lower-cases ASCII letters; header names are matched case-insensitively.
std::string ascii_lower(std::string_view s);

/// Why `s` is not acceptable as a name (product, holiday, column) or "" when it is: valid
/// UTF-8 without control characters, since names end up in JSON and on screens.
std::string name_problem(std::string_view s);

/// Parses a decimal number (optional sign, optional exponent). Returns "" on success, else the
/// predicate of a sentence about the value: "is not a number", "is not a finite number", ...
std::string parse_number(std::string_view s, double& out);

/// Appends `s` to `out` as one CSV field, quoting it when needed.
void append_csv_field(std::string& out, std::string_view s);

}  // namespace levain::forecast
