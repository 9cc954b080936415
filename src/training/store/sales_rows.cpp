#include "training/store/sales_rows.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <stdexcept>

#include "training/store/json_columns.hpp"

namespace levain::training::sales_rows {

std::string describe(const forecast::Observation& row) {
  const std::chrono::year_month_day ymd{row.date};
  char date[32];
  std::snprintf(date, sizeof date, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return "sales row for product '" + row.product + "' on " + date;
}

std::vector<std::size_t> last_of_each_key(const std::vector<forecast::Observation>& rows) {
  std::vector<std::size_t> order(rows.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  // Sorted keys also keep the B-tree inserts local.
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (rows[a].product != rows[b].product) return rows[a].product < rows[b].product;
    return rows[a].date < rows[b].date;
  });
  std::vector<std::size_t> keep;
  keep.reserve(order.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    const bool last_of_run = i + 1 == order.size() ||
                             rows[order[i]].product != rows[order[i + 1]].product ||
                             rows[order[i]].date != rows[order[i + 1]].date;
    if (last_of_run) keep.push_back(order[i]);
  }
  return keep;
}

std::vector<std::size_t> checked_rows(const std::vector<std::string>& names,
                                      const std::vector<forecast::Observation>& rows) {
  for (const auto& row : rows) {
    if (row.regressors.size() != names.size()) {
      throw std::invalid_argument(describe(row) + ": " + std::to_string(row.regressors.size()) +
                                  " regressor values for " + std::to_string(names.size()) +
                                  " regressor columns");
    }
  }
  auto keep = last_of_each_key(rows);
  for (std::size_t i : keep) {
    if (!std::isfinite(rows[i].quantity)) {
      throw std::invalid_argument(describe(rows[i]) +
                                  ": quantity must be a finite number (nothing was stored)");
    }
  }
  return keep;
}

SeriesBuilder::SeriesBuilder(std::string product) { series_.product = std::move(product); }

void SeriesBuilder::add(std::int64_t day, double quantity, std::string_view regressors_json,
                        bool sold_out) {
  auto& s = series_;
  if (s.y.empty()) {
    first_ = day;
    s.start = forecast::Date{std::chrono::days{day}};
  }
  const auto slot = static_cast<std::size_t>(day - first_);
  s.y.resize(slot + 1, forecast::kNaN);
  for (auto& r : s.regressors) r.resize(slot + 1, forecast::kNaN);
  s.y[slot] = quantity;
  if (sold_out) {
    s.sold_out.resize(slot + 1, 0);
    s.sold_out[slot] = 1;
  }
  json_columns::decode_regressors(regressors_json, [&](const std::string& name, double value) {
    auto it = std::find(s.regressor_names.begin(), s.regressor_names.end(), name);
    if (it == s.regressor_names.end()) {
      s.regressor_names.push_back(name);
      s.regressors.emplace_back(slot + 1, forecast::kNaN);
      it = s.regressor_names.end() - 1;
    }
    s.regressors[static_cast<std::size_t>(it - s.regressor_names.begin())][slot] = value;
  });
}

std::optional<forecast::Series> SeriesBuilder::finish() {
  if (series_.y.empty()) return std::nullopt;
  if (!series_.sold_out.empty()) series_.sold_out.resize(series_.y.size(), 0);
  return std::move(series_);
}

void WindowBuilder::add(std::int64_t day, double quantity) {
  if (window_.days.size() == max_days_) {
    window_.truncated = true;
    return;
  }
  window_.days.push_back({from_day_number(day), quantity});
}

SalesWindow WindowBuilder::finish() {
  std::reverse(window_.days.begin(), window_.days.end());
  return std::move(window_);
}

void SummaryBuilder::add(std::string product, std::int64_t first_day, std::int64_t last_day,
                         std::int64_t rows) {
  auto& s = summary_;
  const auto first = from_day_number(first_day);
  const auto last = from_day_number(last_day);
  const auto n = static_cast<std::size_t>(rows);
  ++s.product_count;
  s.rows += n;
  if (!s.first || first < *s.first) s.first = first;
  if (!s.last || last > *s.last) s.last = last;
  if (s.products.size() < max_products_) s.products.push_back({std::move(product), first, last, n});
}

void SummaryBuilder::last_upload(std::int64_t uploaded_at_us, std::int64_t rows) {
  summary_.last_upload_us = uploaded_at_us;
  summary_.last_upload_rows = static_cast<std::size_t>(rows);
}

}  // namespace levain::training::sales_rows
