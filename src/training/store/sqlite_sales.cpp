// SqliteStore: sales history (upsert, product list, daily series).
#include "training/store/json_columns.hpp"
#include "training/store/sales_rows.hpp"
#include "training/store/sqlite_impl.hpp"

namespace levain::training {

UpsertResult SqliteStore::upsert_sales(const std::string& tenant,
                                       const std::vector<std::string>& regressor_names,
                                       const std::vector<forecast::Observation>& rows) {
  const auto keep = sales_rows::checked_rows(regressor_names, rows);
  UpsertResult result;
  if (keep.empty()) return result;
  return impl_->locked("upsert_sales", [&] {
    SQLite::Transaction tx(impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
    for (std::size_t i : keep) {
      const auto& row = rows[i];
      const auto regressors = json_columns::encode_regressors(regressor_names, row.regressors);
      const auto day = sales_rows::day_number(row.date);
      StatementUse ins(impl_->sales_insert);
      ins->bind(1, tenant);
      ins->bind(2, row.product);
      ins->bind(3, day);
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
      upd->bind(5, day);
      upd->exec();
      ++result.updated;
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
  return impl_->locked("load_series", [&] {
    StatementUse q(impl_->sales_series);
    q->bind(1, tenant);
    q->bind(2, product);
    sales_rows::SeriesBuilder series(product);
    while (q->executeStep()) {
      series.add(q->getColumn(0).getInt64(), q->getColumn(1).getDouble(),
                 q->getColumn(2).getString());
    }
    return series.finish();
  });
}

}  // namespace levain::training
