#pragma once
/// The dates of one uploaded CSV. ISO dates (YYYY-MM-DD) are always read. Spreadsheets write
/// dates with slashes in the order of their locale (Spain: DD/MM/YYYY, the US: MM/DD/YYYY), so a
/// slash date is read in the order the caller names, or else in the order the file itself proves:
/// the first slash date that is a real date in one order only decides it for the whole file.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "forecast/types.hpp"

namespace levain::forecast {

enum class DateFormat { automatic, iso, day_first, month_first };

/// The values `?date_format=` takes (case-insensitive); nullopt for anything else.
std::optional<DateFormat> parse_date_format(std::string_view text);
inline constexpr std::string_view kDateFormatChoices = "auto, iso, dd/mm/yyyy, mm/dd/yyyy";

class CsvDates {
 public:
  /// `body` and `column` let it look ahead through the file's date column the first time a
  /// slash date needs an order that `format` does not give.
  CsvDates(DateFormat format, std::string_view body, std::size_t max_line_bytes,
           std::size_t column);

  /// "" with `out` set, or the reason the row is rejected.
  std::string read(std::string_view text, Date& out);

  /// Why the whole file cannot be read (its slash dates fit both orders), or "".
  const std::string& fatal_error() const { return fatal_; }

 private:
  void decide();

  DateFormat format_;
  std::string_view body_;
  std::size_t max_line_bytes_;
  std::size_t column_;
  std::string why_;  // what chose the order, for the reasons: "?date_format=…" or "line N …"
  std::string fatal_;
  bool looked_ahead_ = false;
};

}  // namespace levain::forecast
