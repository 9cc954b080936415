// PostgresStore: trained models per product.
#include <stdexcept>

#include "training/store/json_columns.hpp"
#include "training/store/postgres/impl.hpp"

namespace levain::training {
namespace {

// Reads a row of (product, job_id, report, trained_at).
StoredModel read_model(const pqxx::row& r, const std::string& tenant) {
  StoredModel m;
  m.tenant_id = tenant;
  m.product = r[0].as<std::string>();
  m.job_id = r[1].as<std::string>();
  try {
    m.report = json_columns::decode_report(r[2].c_str());
  } catch (const std::runtime_error& e) {
    throw std::runtime_error("model of product '" + m.product + "': " + e.what());
  }
  m.trained_at_us = r[3].as<std::int64_t>();
  return m;
}

}  // namespace

void PostgresStore::save_model(const StoredModel& model) {
  const std::string report = json_columns::encode_report(model.report);
  impl_->pool.run("save_model", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_prepared(pg::stmt::kModelUpsert, model.tenant_id, model.product, model.job_id, report,
                     model.trained_at_us);
    tx.commit();
  });
}

std::optional<StoredModel> PostgresStore::get_model(const std::string& tenant,
                                                    const std::string& product) {
  return impl_->pool.run("get_model", [&](pqxx::connection& c) -> std::optional<StoredModel> {
    pqxx::nontransaction tx(c);
    const auto r = tx.exec_prepared(pg::stmt::kModelGet, tenant, product);
    if (r.empty()) return std::nullopt;
    return read_model(r[0], tenant);
  });
}

std::vector<StoredModel> PostgresStore::list_models(const std::string& tenant) {
  return impl_->pool.run("list_models", [&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    std::vector<StoredModel> out;
    for (const auto& r : tx.exec_prepared(pg::stmt::kModelList, tenant)) {
      out.push_back(read_model(r, tenant));
    }
    return out;
  });
}

}  // namespace levain::training
