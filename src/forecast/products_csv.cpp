#include "forecast/products_csv.hpp"

#include <cmath>
#include <map>
#include <optional>

#include "forecast/csv_reader.hpp"
#include "forecast/csv_rows.hpp"

namespace levain::forecast {
namespace {

struct Columns {
  char separator = ',';
  std::size_t width = 0;
  std::size_t product = 0;
  std::size_t unit_cost = 0;
  std::size_t price = 0;
  std::optional<std::size_t> min_batch;
  std::optional<std::size_t> batch_size;
};

std::string read_count(std::string_view text, const char* what, int lo, int& out) {
  if (text.empty()) return "";  // an empty optional cell keeps the default
  double v = 0;
  if (auto problem = parse_number(text, v); !problem.empty()) {
    return std::string(what) + " '" + std::string(text) + "' " + problem;
  }
  if (v != std::floor(v) || v < lo || v > kMaxBatch) {
    return std::string(what) + " must be a whole number from " + std::to_string(lo) + " to " +
           std::to_string(kMaxBatch);
  }
  out = static_cast<int>(v);
  return "";
}

std::string read_row(const CsvRecord& rec, const Columns& cols, const CsvLimits& limits,
                     ProductRow& row) {
  if (!rec.error.empty()) return rec.error;
  if (rec.fields.size() != cols.width) return field_count_problem(rec, cols.width, cols.separator);
  row.product = rec.fields[cols.product];
  if (row.product.empty()) return "empty product name";
  if (row.product.size() > limits.max_product_name) {
    return "product name longer than " + std::to_string(limits.max_product_name) + " bytes";
  }
  if (const auto problem = name_problem(row.product); !problem.empty()) {
    return "product name " + problem;
  }
  const bool decimal_comma = cols.separator == ';';
  auto& e = row.economics;
  if (auto p = parse_number(rec.fields[cols.unit_cost], e.unit_cost, decimal_comma); !p.empty()) {
    return "unit_cost '" + rec.fields[cols.unit_cost] + "' " + p;
  }
  if (auto p = parse_number(rec.fields[cols.price], e.price, decimal_comma); !p.empty()) {
    return "price '" + rec.fields[cols.price] + "' " + p;
  }
  if (e.unit_cost < 0) return "unit_cost must not be negative";
  if (e.price <= 0) return "price must be above 0";
  e.min_batch = 0;
  e.batch_size = 1;
  if (cols.min_batch) {
    if (auto p = read_count(rec.fields[*cols.min_batch], "min_batch", 0, e.min_batch); !p.empty()) {
      return p;
    }
  }
  if (cols.batch_size) {
    if (auto p = read_count(rec.fields[*cols.batch_size], "batch_size", 1, e.batch_size);
        !p.empty()) {
      return p;
    }
  }
  return "";
}

}  // namespace

ProductsCsvResult parse_products_csv(std::string_view body, const CsvLimits& limits) {
  ProductsCsvResult result;
  result.fatal_error = encoding_problem(body);
  if (!result.fatal_error.empty()) return result;
  CsvReader reader(body, limits.max_line_bytes);
  CsvRecord rec;
  if (!reader.next(rec)) {
    result.fatal_error = "empty body: expected a header row product,unit_cost,price";
    return result;
  }
  std::map<std::string, std::size_t> names;
  if (rec.error.empty()) {
    for (std::size_t i = 0; i < rec.fields.size(); ++i)
      names.emplace(ascii_lower(rec.fields[i]), i);
  }
  const auto col = [&](const char* name) -> std::optional<std::size_t> {
    const auto it = names.find(name);
    return it == names.end() ? std::nullopt : std::optional(it->second);
  };
  Columns cols;
  cols.separator = reader.separator();
  cols.width = rec.fields.size();
  const auto product = col("product"), unit_cost = col("unit_cost"), price = col("price");
  cols.min_batch = col("min_batch");
  cols.batch_size = col("batch_size");
  const std::size_t known = 3 + (cols.min_batch ? 1 : 0) + (cols.batch_size ? 1 : 0);
  if (!rec.error.empty() || !product || !unit_cost || !price || names.size() != known ||
      cols.width != known) {
    result.fatal_error =
        rec.error.empty()
            ? "bad header row: expected the columns product,unit_cost,price and optionally "
              "min_batch,batch_size (each once, nothing else); " +
                  header_as_read(rec, reader.separator())
            : "bad header row: " + rec.error;
    return result;
  }
  cols.product = *product;
  cols.unit_cost = *unit_cost;
  cols.price = *price;
  std::map<std::string, std::size_t> index;  // product -> its slot in rows
  auto fatal = read_data_rows(
      reader, limits, result.rejected, result.rejected_total, [&](const CsvRecord& line) {
        ProductRow row;
        auto reason = read_row(line, cols, limits, row);
        if (!reason.empty()) return reason;
        ++result.accepted;
        const auto [it, fresh] = index.emplace(row.product, result.rows.size());
        if (fresh) {
          result.rows.push_back(std::move(row));
        } else {
          result.rows[it->second] = std::move(row);
        }
        return std::string();
      });
  if (!fatal.empty()) {
    result = ProductsCsvResult{};
    result.fatal_error = std::move(fatal);
  }
  return result;
}

}  // namespace levain::forecast
