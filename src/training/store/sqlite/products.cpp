// SqliteStore: what each product costs and sells for, and the tenant's default cost share.
#include "training/store/sqlite/impl.hpp"

namespace levain::training {

void SqliteStore::replace_products(const std::string& tenant,
                                   const std::vector<ProductEconomics>& rows) {
  impl_->locked("replace_products", [&] {
    SQLite::Transaction tx(impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
    {
      StatementUse s(impl_->product_clear);
      s->bind(1, tenant);
      s->exec();
    }
    for (const ProductEconomics& row : rows) {
      StatementUse s(impl_->product_insert);
      s->bind(1, tenant);
      s->bind(2, row.product);
      s->bind(3, row.economics.unit_cost);
      s->bind(4, row.economics.price);
      s->bind(5, row.economics.min_batch);
      s->bind(6, row.economics.batch_size);
      s->exec();
    }
    tx.commit();
  });
}

std::vector<ProductEconomics> SqliteStore::load_products(const std::string& tenant) {
  return impl_->locked("load_products", [&] {
    StatementUse q(impl_->product_list);
    q->bind(1, tenant);
    std::vector<ProductEconomics> out;
    while (q->executeStep()) {
      out.push_back({q->getColumn(0).getString(),
                     {.unit_cost = q->getColumn(1).getDouble(),
                      .price = q->getColumn(2).getDouble(),
                      .min_batch = q->getColumn(3).getInt(),
                      .batch_size = q->getColumn(4).getInt()}});
    }
    return out;
  });
}

void SqliteStore::set_unit_cost_share(const std::string& tenant, double share) {
  impl_->locked("set_unit_cost_share", [&] {
    StatementUse s(impl_->share_set);
    s->bind(1, tenant);
    s->bind(2, share);
    s->exec();
  });
}

double SqliteStore::unit_cost_share(const std::string& tenant) {
  return impl_->locked("unit_cost_share", [&] {
    StatementUse q(impl_->share_get);
    q->bind(1, tenant);
    return q->executeStep() ? q->getColumn(0).getDouble() : kDefaultUnitCostShare;
  });
}

}  // namespace levain::training
