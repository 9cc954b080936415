// SqliteStore: sales history (upsert, product list, daily series).
#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <stdexcept>

#include "training/store/json_columns.hpp"
#include "training/store/sqlite_impl.hpp"

namespace levain::training {
namespace {

std::int64_t day_number(forecast::Date d) { return d.time_since_epoch().count(); }

std::string describe(const forecast::Observation& row) {
  const std::chrono::year_month_day ymd{row.date};
  char date[32];
  std::snprintf(date, sizeof date, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return "sales row for product '" + row.product + "' on " + date;
}

// Indices of the rows to write: one per (product, date), the last occurrence, in key order
// (sorted keys also make the B-tree inserts local).
std::vector<std::size_t> last_of_each_key(const std::vector<forecast::Observation>& rows) {
  std::vector<std::size_t> order(rows.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
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

}  // namespace

UpsertResult SqliteStore::upsert_sales(const std::string& tenant,
                                       const std::vector<std::string>& regressor_names,
                                       const std::vector<forecast::Observation>& rows) {
  for (const auto& row : rows) {
    if (row.regressors.size() != regressor_names.size()) {
      throw std::invalid_argument(describe(row) + ": " + std::to_string(row.regressors.size()) +
                                  " regressor values for " +
                                  std::to_string(regressor_names.size()) + " regressor columns");
    }
  }
  UpsertResult result;
  if (rows.empty()) return result;
  const auto keep = last_of_each_key(rows);
  return impl_->locked("upsert_sales", [&] {
    SQLite::Transaction tx(impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
    for (std::size_t i : keep) {
      const auto& row = rows[i];
      const auto regressors = json_columns::encode_regressors(regressor_names, row.regressors);
      try {
        StatementUse ins(impl_->sales_insert);
        ins->bind(1, tenant);
        ins->bind(2, row.product);
        ins->bind(3, day_number(row.date));
        ins->bind(4, row.quantity);
        ins->bind(5, regressors);
        if (ins->exec() == 1) {
          ++result.inserted;
          continue;
        }
        StatementUse upd(impl_->sales_update);
        upd->bind(1, row.quantity);
        upd->bind(2, regressors);
        upd->bind(3, tenant);
        upd->bind(4, row.product);
        upd->bind(5, day_number(row.date));
        upd->exec();
        ++result.updated;
      } catch (const SQLite::Exception& e) {
        // The only constraints a well-formed call can break are on the quantity (NULL = NaN).
        if ((e.getErrorCode() & 0xff) != SQLITE_CONSTRAINT) throw;
        throw std::invalid_argument(describe(row) +
                                    ": quantity must be a finite number (nothing was stored)");
      }
    }
    tx.commit();
    return result;
  });
}

std::vector<std::string> SqliteStore::list_products(const std::string& tenant) {
  return impl_->locked("list_products", [&] {
    StatementUse q(impl_->sales_products);
    q->bind(1, tenant);
    std::vector<std::string> out;
    while (q->executeStep()) out.push_back(q->getColumn(0).getString());
    return out;
  });
}

std::optional<forecast::Series> SqliteStore::load_series(const std::string& tenant,
                                                         const std::string& product) {
  return impl_->locked("load_series", [&]() -> std::optional<forecast::Series> {
    StatementUse q(impl_->sales_series);
    q->bind(1, tenant);
    q->bind(2, product);
    forecast::Series s;
    s.product = product;
    std::int64_t first = 0;
    while (q->executeStep()) {
      const std::int64_t day = q->getColumn(0).getInt64();
      if (s.y.empty()) {
        first = day;
        s.start = forecast::Date{std::chrono::days{day}};
      }
      const auto slot = static_cast<std::size_t>(day - first);
      s.y.resize(slot + 1, forecast::kNaN);
      for (auto& r : s.regressors) r.resize(slot + 1, forecast::kNaN);
      s.y[slot] = q->getColumn(1).getDouble();
      const std::string text = q->getColumn(2).getString();
      json_columns::decode_regressors(text, [&](const std::string& name, double value) {
        auto it = std::find(s.regressor_names.begin(), s.regressor_names.end(), name);
        if (it == s.regressor_names.end()) {
          s.regressor_names.push_back(name);
          s.regressors.emplace_back(slot + 1, forecast::kNaN);
          it = s.regressor_names.end() - 1;
        }
        s.regressors[static_cast<std::size_t>(it - s.regressor_names.begin())][slot] = value;
      });
    }
    if (s.y.empty()) return std::nullopt;
    return s;
  });
}

}  // namespace levain::training
