// PostgresStore: what each product costs and sells for, and the tenant's default cost share.
#include "training/store/postgres/impl.hpp"

namespace levain::training {

void PostgresStore::replace_products(const std::string& tenant,
                                     const std::vector<ProductEconomics>& rows) {
  std::vector<std::string> names;
  std::vector<double> costs;
  std::vector<double> prices;
  std::vector<std::int64_t> min_batches;
  std::vector<std::int64_t> batch_sizes;
  for (const auto& row : rows) {
    names.push_back(row.product);
    costs.push_back(row.economics.unit_cost);
    prices.push_back(row.economics.price);
    min_batches.push_back(row.economics.min_batch);
    batch_sizes.push_back(row.economics.batch_size);
  }
  impl_->pool.run("replace_products", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_prepared(pg::stmt::kProductClear, tenant);
    if (!rows.empty()) {
      tx.exec_prepared(pg::stmt::kProductInsert, tenant, pg::text_array(names),
                       pg::double_array(costs), pg::double_array(prices),
                       pg::int_array(min_batches), pg::int_array(batch_sizes));
    }
    tx.commit();
  });
}

std::vector<ProductEconomics> PostgresStore::load_products(const std::string& tenant) {
  return impl_->pool.run("load_products", [&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    std::vector<ProductEconomics> out;
    for (const auto& r : tx.exec_prepared(pg::stmt::kProductList, tenant)) {
      out.push_back({r[0].as<std::string>(),
                     {.unit_cost = r[1].as<double>(),
                      .price = r[2].as<double>(),
                      .min_batch = r[3].as<int>(),
                      .batch_size = r[4].as<int>()}});
    }
    return out;
  });
}

void PostgresStore::set_unit_cost_share(const std::string& tenant, double share) {
  impl_->pool.run("set_unit_cost_share", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_prepared(pg::stmt::kShareSet, tenant, share);
    tx.commit();
  });
}

double PostgresStore::unit_cost_share(const std::string& tenant) {
  return impl_->pool.run("unit_cost_share", [&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    const auto r = tx.exec_prepared(pg::stmt::kShareGet, tenant);
    return r.empty() ? kDefaultUnitCostShare : r[0][0].as<double>();
  });
}

}  // namespace levain::training
