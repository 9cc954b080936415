#include "forecast/csv.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

#include "forecast/csv_dates.hpp"
#include "forecast/csv_reader.hpp"
#include "forecast/csv_rows.hpp"

namespace levain::forecast {
namespace {

struct Columns {
  char separator = ',';
  std::size_t date = 0;
  std::size_t product = 0;
  std::size_t quantity = 0;
  std::optional<std::size_t> sold_out;     // 0/1, true/false, yes/no
  std::optional<std::size_t> sold_out_at;  // HH:MM, local time
  std::vector<std::size_t> regressors;
  std::size_t width = 0;
};

// Returns the fatal error for a bad header, or "" and fills `cols` / `names`.
std::string read_header(const CsvRecord& header, const CsvLimits& limits, Columns& cols,
                        std::vector<std::string>& names) {
  if (!header.error.empty()) return "bad header row: " + header.error;
  std::optional<std::size_t> date, product, quantity;
  std::vector<std::string> seen;
  for (std::size_t i = 0; i < header.fields.size(); ++i) {
    const std::string& raw = header.fields[i];
    const std::string key = ascii_lower(raw);
    if (key.empty()) return "bad header row: column " + std::to_string(i + 1) + " has no name";
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      return "bad header row: column '" + raw + "' appears twice";
    }
    if (const auto problem = name_problem(raw); !problem.empty()) {
      return "bad header row: column " + std::to_string(i + 1) + " name " + problem;
    }
    seen.push_back(key);
    if (key == "date") {
      date = i;
    } else if (key == "product") {
      product = i;
    } else if (key == "quantity") {
      quantity = i;
    } else if (key == "sold_out") {
      cols.sold_out = i;
    } else if (key == "sold_out_at") {
      cols.sold_out_at = i;
    } else {
      cols.regressors.push_back(i);
      names.push_back(raw);
    }
  }
  if (!date || !product || !quantity) {
    std::string missing;
    for (const auto& [ok, name] :
         {std::pair{date.has_value(), "date"}, std::pair{product.has_value(), "product"},
          std::pair{quantity.has_value(), "quantity"}}) {
      if (!ok) missing += missing.empty() ? std::string(name) : std::string(", ") + name;
    }
    return "bad header row: expected the columns date, product and quantity (in any order; "
           "more columns are regressors); missing " +
           missing + ": " + header_as_read(header, cols.separator);
  }
  if (names.size() > limits.max_regressors) {
    return "too many regressor columns: " + std::to_string(names.size()) + " (at most " +
           std::to_string(limits.max_regressors) + ")";
  }
  cols.date = *date;
  cols.product = *product;
  cols.quantity = *quantity;
  cols.width = header.fields.size();
  return "";
}

// "" with `out` set, or the reason the sold-out cells are unusable. Empty cells mean "did not
// sell out"; a time of sell-out says that it did.
std::string read_sold_out(const CsvRecord& rec, const Columns& cols, bool& out) {
  out = false;
  bool said_no = false;
  if (cols.sold_out) {
    const std::string text = ascii_lower(rec.fields[*cols.sold_out]);
    said_no = text == "0" || text == "false" || text == "no";
    if (text == "1" || text == "true" || text == "yes") {
      out = true;
    } else if (!(text.empty() || said_no)) {
      return "sold_out '" + rec.fields[*cols.sold_out] + "' is not 0/1, true/false or yes/no";
    }
  }
  if (cols.sold_out_at) {
    const std::string& text = rec.fields[*cols.sold_out_at];
    if (text.empty()) return "";
    const bool shaped = text.size() == 5 && text[2] == ':' &&
                        std::isdigit(static_cast<unsigned char>(text[0])) &&
                        std::isdigit(static_cast<unsigned char>(text[1])) &&
                        std::isdigit(static_cast<unsigned char>(text[3])) &&
                        std::isdigit(static_cast<unsigned char>(text[4]));
    if (!shaped || std::stoi(text.substr(0, 2)) > 23 || std::stoi(text.substr(3)) > 59) {
      return "sold_out_at '" + text + "' is not a time HH:MM (00:00 to 23:59)";
    }
    if (said_no) {
      return "sold_out says no but sold_out_at is " + text;
    }
    out = true;
  }
  return "";
}

enum class QuantityProblem { none, negative, unknown };

// Returns the rejection reason, or "" with `obs` filled; `quantity` says when the quantity was
// the reason.
std::string read_row(const CsvRecord& rec, const Columns& cols,
                     const std::vector<std::string>& names, const CsvLimits& limits,
                     CsvDates& dates, Observation& obs, QuantityProblem& quantity) {
  if (!rec.error.empty()) return rec.error;
  if (rec.fields.size() != cols.width) {
    return field_count_problem(rec, cols.width, cols.separator);
  }
  Date date{};
  if (auto problem = dates.read(rec.fields[cols.date], date); !problem.empty()) return problem;
  const std::string& product = rec.fields[cols.product];
  if (product.empty()) return "empty product name";
  if (product.size() > limits.max_product_name) {
    return "product name longer than " + std::to_string(limits.max_product_name) + " bytes";
  }
  if (const auto problem = name_problem(product); !problem.empty()) {
    return "product name " + problem;
  }
  const std::string& qty_text = rec.fields[cols.quantity];
  double qty = 0;
  quantity = QuantityProblem::unknown;
  if (qty_text.empty()) return "empty quantity";
  const bool decimal_comma = cols.separator == ';';
  if (const auto problem = parse_number(qty_text, qty, decimal_comma); !problem.empty()) {
    return "quantity '" + qty_text + "' " + problem;
  }
  quantity = QuantityProblem::negative;
  if (qty < 0) return "negative quantity " + qty_text;
  quantity = QuantityProblem::none;
  if (auto problem = read_sold_out(rec, cols, obs.sold_out); !problem.empty()) return problem;
  obs.date = date;
  obs.product = product;
  obs.quantity = qty == 0 ? 0.0 : qty;  // folds -0 into 0
  obs.regressors.clear();
  for (std::size_t r = 0; r < cols.regressors.size(); ++r) {
    const std::string& text = rec.fields[cols.regressors[r]];
    double value = kNaN;
    if (!text.empty()) {
      if (const auto problem = parse_number(text, value, decimal_comma); !problem.empty()) {
        return "regressor '" + names[r] + "' value '" + text + "' " + problem;
      }
    }
    obs.regressors.push_back(value);
  }
  return "";
}

}  // namespace

CsvParseResult parse_sales_csv(std::string_view body, const CsvLimits& limits,
                               DateFormat date_format) {
  CsvParseResult result;
  result.fatal_error = encoding_problem(body);
  if (!result.fatal_error.empty()) return result;
  CsvReader reader(body, limits.max_line_bytes);
  CsvRecord rec;
  if (!reader.next(rec)) {
    result.fatal_error = "empty body: expected a header row date,product,quantity";
    return result;
  }
  Columns cols;
  cols.separator = reader.separator();
  result.fatal_error = read_header(rec, limits, cols, result.regressor_names);
  if (!result.fatal_error.empty()) {
    result.regressor_names.clear();
    return result;
  }
  CsvDates dates(date_format, body, limits.max_line_bytes, cols.date);
  auto fatal = read_data_rows(
      reader, limits, result.rejected, result.rejected_total, [&](const CsvRecord& row) {
        Observation obs;
        auto quantity = QuantityProblem::none;
        auto reason = read_row(row, cols, result.regressor_names, limits, dates, obs, quantity);
        if (reason.empty()) {
          result.rows.push_back(std::move(obs));
        } else if (quantity == QuantityProblem::negative) {
          ++result.negative_quantity;
        } else if (quantity == QuantityProblem::unknown) {
          ++result.unknown_quantity;
        }
        return reason;
      });
  if (fatal.empty()) fatal = dates.fatal_error();
  if (!fatal.empty()) {
    result = CsvParseResult{};  // a fatal body lands nothing
    result.fatal_error = std::move(fatal);
  }
  return result;
}

}  // namespace levain::forecast
