// PostgresStore: trained models per product, the version served and the last versions kept.
#include <stdexcept>

#include "training/store/json_columns.hpp"
#include "training/store/postgres/impl.hpp"

namespace levain::training {
namespace {

// Reads a row of (product, job_id, report, trained_at, version).
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
  m.version = r[4].as<int>();
  return m;
}

}  // namespace

int PostgresStore::save_model(const StoredModel& model) {
  const std::string report = json_columns::encode_report(model.report);
  return impl_->pool.run("save_model", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_prepared(pg::stmt::kVersionLock, model.tenant_id, model.product);
    const int version =
        tx.exec_prepared1(pg::stmt::kVersionNext, model.tenant_id, model.product)[0].as<int>();
    tx.exec_prepared(pg::stmt::kVersionInsert, model.tenant_id, model.product, model.job_id, report,
                     model.trained_at_us, version);
    tx.exec_prepared(pg::stmt::kVersionTrim, model.tenant_id, model.product,
                     version - kModelVersionsKept);
    tx.exec_prepared(pg::stmt::kModelUpsert, model.tenant_id, model.product, model.job_id, report,
                     model.trained_at_us, version);
    tx.commit();
    return version;
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

std::vector<StoredModel> PostgresStore::list_model_versions(const std::string& tenant,
                                                            const std::string& product) {
  return impl_->pool.run("list_model_versions", [&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    std::vector<StoredModel> out;
    for (const auto& r : tx.exec_prepared(pg::stmt::kVersionList, tenant, product)) {
      out.push_back(read_model(r, tenant));
    }
    return out;
  });
}

bool PostgresStore::rollback_model(const std::string& tenant, const std::string& product,
                                   int version) {
  return impl_->pool.run("rollback_model", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_prepared(pg::stmt::kVersionLock, tenant, product);
    const auto r = tx.exec_prepared(pg::stmt::kVersionRestore, tenant, product, version);
    tx.commit();
    return r.affected_rows() > 0;
  });
}

}  // namespace levain::training
