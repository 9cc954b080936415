// PostgresStore: sales history (upsert, product list, daily series, windows and summary).
#include <algorithm>

#include "common/ids.hpp"
#include "training/store/json_columns.hpp"
#include "training/store/postgres/impl.hpp"
#include "training/store/sales_rows.hpp"

namespace levain::training {
namespace {

// Rows per INSERT … SELECT unnest(…): one round trip each, a few hundred kB of parameters.
constexpr std::size_t kBatchRows = 2000;

}  // namespace

UpsertResult PostgresStore::upsert_sales(const std::string& tenant,
                                         const std::vector<std::string>& regressor_names,
                                         const std::vector<forecast::Observation>& rows,
                                         const UploadRefusals& refused) {
  const auto keep = sales_rows::checked_rows(regressor_names, rows);
  UpsertResult result;
  if (keep.empty()) return result;
  // Encoded once, outside the retry loop of the pool.
  struct Batch {
    std::string products, days, quantities, regressors, sold_out;
  };
  std::vector<Batch> batches;
  for (std::size_t from = 0; from < keep.size(); from += kBatchRows) {
    const std::size_t to = std::min(keep.size(), from + kBatchRows);
    std::vector<std::string> products, regressors;
    std::vector<std::int64_t> days, sold_out;
    std::vector<double> quantities;
    for (std::size_t k = from; k < to; ++k) {
      const auto& row = rows[keep[k]];
      products.push_back(row.product);
      days.push_back(sales_rows::day_number(row.date));
      quantities.push_back(row.quantity);
      regressors.push_back(json_columns::encode_regressors(regressor_names, row.regressors));
      sold_out.push_back(row.sold_out ? 1 : 0);
    }
    batches.push_back({pg::text_array(products), pg::int_array(days), pg::double_array(quantities),
                       pg::text_array(regressors), pg::int_array(sold_out)});
  }
  return impl_->pool.run("upsert_sales", [&](pqxx::connection& c) {
    UpsertResult counts;
    pqxx::work tx(c);
    for (const auto& b : batches) {
      for (const auto& r : tx.exec_prepared(pg::stmt::kSalesUpsert, tenant, b.products, b.days,
                                            b.quantities, b.regressors, b.sold_out)) {
        ++(r[0].as<bool>() ? counts.inserted : counts.updated);
      }
    }
    tx.exec_prepared(pg::stmt::kUploadRecord, tenant, common::now_micros(),
                     static_cast<std::int64_t>(keep.size()),
                     static_cast<std::int64_t>(refused.negative),
                     static_cast<std::int64_t>(refused.unknown),
                     static_cast<std::int64_t>(counts.updated + rows.size() - keep.size()));
    tx.commit();
    return counts;
  });
}

UploadQuality PostgresStore::last_upload_quality(const std::string& tenant) {
  return impl_->pool.run("last_upload_quality", [&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    UploadQuality q;
    for (const auto& r : tx.exec_prepared(pg::stmt::kUploadQuality, tenant)) {
      q.negative = static_cast<std::size_t>(r[0].as<std::int64_t>());
      q.unknown = static_cast<std::size_t>(r[1].as<std::int64_t>());
      q.replaced = static_cast<std::size_t>(r[2].as<std::int64_t>());
    }
    return q;
  });
}

std::vector<std::string> PostgresStore::list_products(const std::string& tenant) {
  return impl_->pool.run("list_products", [&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    std::vector<std::string> out;
    for (const auto& r : tx.exec_prepared(pg::stmt::kSalesProducts, tenant)) {
      out.push_back(r[0].as<std::string>());
    }
    return out;
  });
}

std::optional<forecast::Series> PostgresStore::load_series(const std::string& tenant,
                                                           const std::string& product) {
  return impl_->pool.run("load_series", [&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    sales_rows::SeriesBuilder series(product);
    for (const auto& r : tx.exec_prepared(pg::stmt::kSalesSeries, tenant, product)) {
      series.add(r[0].as<std::int64_t>(), r[1].as<double>(), r[2].c_str(), r[3].as<bool>());
    }
    return series.finish();
  });
}

std::optional<SalesWindow> PostgresStore::load_sales(const std::string& tenant,
                                                     const std::string& product,
                                                     const SalesRange& range,
                                                     std::size_t max_days) {
  return impl_->pool.run("load_sales", [&](pqxx::connection& c) -> std::optional<SalesWindow> {
    pqxx::nontransaction tx(c);
    sales_rows::WindowBuilder window(max_days);
    for (const auto& r : tx.exec_prepared(pg::stmt::kSalesWindow, tenant, product,
                                          sales_rows::day_number(range.from),
                                          sales_rows::day_number(range.to), window.limit())) {
      window.add(r[0].as<std::int64_t>(), r[1].as<double>());
    }
    auto out = window.finish();
    if (out.days.empty() && tx.exec_prepared(pg::stmt::kSalesExists, tenant, product).empty()) {
      return std::nullopt;
    }
    return out;
  });
}

SalesSummary PostgresStore::sales_summary(const std::string& tenant, std::size_t max_products) {
  return impl_->pool.run("sales_summary", [&](pqxx::connection& c) {
    // One snapshot for both queries, so the upload time matches the rows counted.
    pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(c);
    sales_rows::SummaryBuilder summary(max_products);
    for (const auto& r : tx.exec_prepared(pg::stmt::kSalesPerProduct, tenant)) {
      summary.add(r[0].as<std::string>(), r[1].as<std::int64_t>(), r[2].as<std::int64_t>(),
                  r[3].as<std::int64_t>());
    }
    for (const auto& r : tx.exec_prepared(pg::stmt::kUploadGet, tenant)) {
      summary.last_upload(r[0].as<std::int64_t>(), r[1].as<std::int64_t>());
    }
    return summary.finish();
  });
}

}  // namespace levain::training
