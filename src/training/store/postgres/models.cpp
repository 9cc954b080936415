// PostgresStore: trained models per product, the version served and the last versions kept.
#include <stdexcept>

#include "training/store/forecast_log.hpp"
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

// Logs the forecast of the model now served (forecast_log.hpp), in the caller's transaction.
void log_forecast(pqxx::work& tx, const std::string& tenant, const std::string& product,
                  const forecast::FitReport& report, int version) {
  const auto rows = forecast_log::rows_of(report);
  if (rows.empty()) return;
  std::vector<std::int64_t> days, leads;
  std::vector<double> yhat, lower, upper;
  for (const auto& row : rows) {
    days.push_back(row.day);
    leads.push_back(row.lead);
    yhat.push_back(row.yhat);
    lower.push_back(row.lower);
    upper.push_back(row.upper);
  }
  tx.exec_prepared(pg::stmt::kForecastLog, tenant, product, version, pg::int_array(days),
                   pg::int_array(leads), pg::double_array(yhat), pg::double_array(lower),
                   pg::double_array(upper));
  tx.exec_prepared(pg::stmt::kForecastLogTrim, tenant, product, forecast_log::oldest_kept(rows));
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
    log_forecast(tx, model.tenant_id, model.product, model.report, version);
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
    if (r.empty()) return false;
    log_forecast(tx, tenant, product, json_columns::decode_report(r[0][0].c_str()), version);
    tx.commit();
    return true;
  });
}

std::vector<MetForecast> PostgresStore::met_forecasts(const std::string& tenant,
                                                      forecast::Date from, std::size_t limit) {
  return impl_->pool.run("met_forecasts", [&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    std::vector<MetForecast> out;
    for (const auto& r :
         tx.exec_prepared(pg::stmt::kForecastMet, tenant,
                          static_cast<std::int64_t>(from.time_since_epoch().count()),
                          static_cast<std::int64_t>(limit))) {
      out.push_back({.product = r[0].as<std::string>(),
                     .date = forecast::Date{std::chrono::days{r[1].as<std::int64_t>()}},
                     .lead = r[2].as<int>(),
                     .version = r[3].as<int>(),
                     .yhat = r[4].as<double>(),
                     .lower = r[5].as<double>(),
                     .upper = r[6].as<double>(),
                     .sold = r[7].as<double>(),
                     .sold_out = r[8].as<bool>()});
    }
    return out;
  });
}

}  // namespace levain::training
