#pragma once
/// Line-by-line CSV tokenizer shared by the sales and holiday-calendar parsers: one place that
/// knows about BOMs, CRLF, separators, quoting and line limits, so both uploads report errors the
/// same way.

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

/// Splits every line of a body with the separator its first non-blank line (the header) uses
/// most: ',' or ';' (what a spreadsheet in a decimal-comma locale such as Spain's writes) or a
/// tab. A UTF-8 BOM is skipped and CRLF line ends are read like LF.
class CsvReader {
 public:
  CsvReader(std::string_view body, std::size_t max_line_bytes);

  /// Fills `out` with the next non-blank line; false at the end of the body.
  bool next(CsvRecord& out);

  char separator() const { return separator_; }

 private:
  std::string_view body_;
  std::size_t pos_ = 0;
  std::size_t line_ = 0;
  std::size_t max_line_bytes_;
  char separator_ = ',';
};

/// The separator of a header line: whichever of ',' ';' and tab occurs most outside quotes
/// (',' on a tie or when none does).
char detect_separator(std::string_view header_line);

/// How a message names a separator: "','", "';'" or "tab".
std::string separator_name(char separator);

/// The header as the parser split it ("the header uses ';' and its columns are 'Fecha', ..."),
/// so that a message about a header in another language or separator is recognisable.
std::string header_as_read(const CsvRecord& header, char separator);

/// Why the body is not CSV text a parser should read (UTF-16, as Excel's "Unicode text" writes),
/// or "".
std::string encoding_problem(std::string_view body);

/// Splits one line (without its terminator) into fields; returns an error sentence or "".
std::string split_csv_line(std::string_view line, std::vector<std::string>& fields,
                           char separator = ',');

/// Lower-cases ASCII letters; header names are matched case-insensitively.
std::string ascii_lower(std::string_view s);

/// Why `s` is not acceptable as a name (product, holiday, column) or "" when it is: valid
/// UTF-8 without control characters, since names end up in JSON and on screens.
std::string name_problem(std::string_view s);

/// Parses a decimal number (optional sign, optional exponent). Returns "" on success, else the
/// predicate of a sentence about the value: "is not a number", "is not a finite number", ...
/// With `decimal_comma` (files separated by ';') "1,5" is 1.5; a value with both '.' and ','
/// is refused rather than guessed at, since one of them would be a thousands separator.
std::string parse_number(std::string_view s, double& out, bool decimal_comma = false);

/// Appends `s` to `out` as one CSV field, quoting it when needed.
void append_csv_field(std::string& out, std::string_view s);

}  // namespace levain::forecast
