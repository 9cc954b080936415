#pragma once
/// The parts of storing sales that do not depend on the database: validating and de-duplicating
/// an upload, and folding stored (day, quantity, regressors) rows back into a daily series. Both
/// stores use them, so they accept and return exactly the same data.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "forecast/types.hpp"
#include "training/store/store.hpp"

namespace levain::training::sales_rows {

/// Whole days since 1970-01-01, the stored form of a date.
inline std::int64_t day_number(forecast::Date d) { return d.time_since_epoch().count(); }
inline forecast::Date from_day_number(std::int64_t day) {
  return forecast::Date{std::chrono::days{day}};
}

/// "sales row for product 'X' on 2024-01-31", for error messages.
std::string describe(const forecast::Observation& row);

/// Indices of the rows to write: one per (product, date), the last occurrence wins, in key order.
std::vector<std::size_t> last_of_each_key(const std::vector<forecast::Observation>& rows);

/// Checks an upload and returns last_of_each_key(rows). Throws std::invalid_argument naming the
/// row when any row's regressor count differs from `names`, or when a row that would be written
/// has a quantity that is not a finite number (a duplicate that a later row replaces is ignored).
std::vector<std::size_t> checked_rows(const std::vector<std::string>& names,
                                      const std::vector<forecast::Observation>& rows);

/// Builds one product's daily series from its rows read in ascending day order.
class SeriesBuilder {
 public:
  explicit SeriesBuilder(std::string product);
  /// `regressors_json` is the stored regressor column (json_columns::encode_regressors).
  void add(std::int64_t day, double quantity, std::string_view regressors_json,
           bool sold_out = false);
  /// nullopt when no row was added.
  std::optional<forecast::Series> finish();

 private:
  forecast::Series series_;
  std::int64_t first_ = 0;
};

/// Builds a SalesWindow from rows read newest first with a LIMIT of max_days + 1: the extra row
/// only says that older days were left out.
class WindowBuilder {
 public:
  explicit WindowBuilder(std::size_t max_days) : max_days_(max_days) {}
  /// The LIMIT to read with.
  std::int64_t limit() const { return static_cast<std::int64_t>(max_days_) + 1; }
  void add(std::int64_t day, double quantity);
  SalesWindow finish();

 private:
  std::size_t max_days_;
  SalesWindow window_;
};

/// Folds per-product aggregates (read in name order) into a SalesSummary, keeping the first
/// `max_products` of them and counting all.
class SummaryBuilder {
 public:
  explicit SummaryBuilder(std::size_t max_products) : max_products_(max_products) {}
  void add(std::string product, std::int64_t first_day, std::int64_t last_day, std::int64_t rows);
  void last_upload(std::int64_t uploaded_at_us, std::int64_t rows);
  SalesSummary finish() { return std::move(summary_); }

 private:
  std::size_t max_products_;
  SalesSummary summary_;
};

}  // namespace levain::training::sales_rows
