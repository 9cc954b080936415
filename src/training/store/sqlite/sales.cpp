// SqliteStore: sales history (upsert, product list, daily series, windows and summary).
#include "common/ids.hpp"
#include "training/store/json_columns.hpp"
#include "training/store/sales_rows.hpp"
#include "training/store/sqlite/impl.hpp"

namespace levain::training {

UpsertResult SqliteStore::upsert_sales(const std::string& tenant,
                                       const std::vector<std::string>& regressor_names,
                                       const std::vector<forecast::Observation>& rows,
                                       const UploadRefusals& refused) {
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
      ins->bind(6, row.sold_out ? 1 : 0);
      if (ins->exec() == 1) {
        ++result.inserted;
        continue;
      }
      StatementUse upd(impl_->sales_update);
      upd->bind(1, row.quantity);
      upd->bind(2, regressors);
      upd->bind(3, row.sold_out ? 1 : 0);
      upd->bind(4, tenant);
      upd->bind(5, row.product);
      upd->bind(6, day);
      upd->exec();
      ++result.updated;
    }
    StatementUse up(impl_->upload_record);
    up->bind(1, tenant);
    up->bind(2, common::now_micros());
    up->bind(3, static_cast<std::int64_t>(keep.size()));
    up->bind(4, static_cast<std::int64_t>(refused.negative));
    up->bind(5, static_cast<std::int64_t>(refused.unknown));
    up->bind(6, static_cast<std::int64_t>(result.updated + rows.size() - keep.size()));
    up->exec();
    tx.commit();
    return result;
  });
}

UploadQuality SqliteStore::last_upload_quality(const std::string& tenant) {
  return impl_->locked("last_upload_quality", [&] {
    UploadQuality q;
    StatementUse s(impl_->upload_quality);
    s->bind(1, tenant);
    if (s->executeStep()) {
      q.negative = static_cast<std::size_t>(s->getColumn(0).getInt64());
      q.unknown = static_cast<std::size_t>(s->getColumn(1).getInt64());
      q.replaced = static_cast<std::size_t>(s->getColumn(2).getInt64());
    }
    return q;
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
                 q->getColumn(2).getString(), q->getColumn(3).getInt() != 0);
    }
    return series.finish();
  });
}

std::optional<SalesWindow> SqliteStore::load_sales(const std::string& tenant,
                                                   const std::string& product,
                                                   const SalesRange& range, std::size_t max_days) {
  return impl_->locked("load_sales", [&]() -> std::optional<SalesWindow> {
    sales_rows::WindowBuilder window(max_days);
    {
      StatementUse q(impl_->sales_window);
      q->bind(1, tenant);
      q->bind(2, product);
      q->bind(3, sales_rows::day_number(range.from));
      q->bind(4, sales_rows::day_number(range.to));
      q->bind(5, window.limit());
      while (q->executeStep()) window.add(q->getColumn(0).getInt64(), q->getColumn(1).getDouble());
    }
    auto out = window.finish();
    if (out.days.empty()) {
      StatementUse exists(impl_->sales_exists);
      exists->bind(1, tenant);
      exists->bind(2, product);
      if (!exists->executeStep()) return std::nullopt;
    }
    return out;
  });
}

SalesSummary SqliteStore::sales_summary(const std::string& tenant, std::size_t max_products) {
  return impl_->locked("sales_summary", [&] {
    sales_rows::SummaryBuilder summary(max_products);
    {
      StatementUse q(impl_->sales_per_product);
      q->bind(1, tenant);
      while (q->executeStep()) {
        summary.add(q->getColumn(0).getString(), q->getColumn(1).getInt64(),
                    q->getColumn(2).getInt64(), q->getColumn(3).getInt64());
      }
    }
    StatementUse up(impl_->upload_get);
    up->bind(1, tenant);
    if (up->executeStep())
      summary.last_upload(up->getColumn(0).getInt64(), up->getColumn(1).getInt64());
    return summary.finish();
  });
}

}  // namespace levain::training
