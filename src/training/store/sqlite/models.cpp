// SqliteStore: trained models per product, the version served and the last versions kept.
#include <stdexcept>

#include "training/store/forecast_log.hpp"
#include "training/store/json_columns.hpp"
#include "training/store/sqlite/impl.hpp"

namespace levain::training {
namespace {

// Reads a row of (product, job_id, report, trained_at, version).
StoredModel read_model(SQLite::Statement& s, const std::string& tenant) {
  StoredModel m;
  m.tenant_id = tenant;
  m.product = s.getColumn(0).getString();
  m.job_id = s.getColumn(1).getString();
  try {
    m.report = json_columns::decode_report(s.getColumn(2).getString());
  } catch (const std::runtime_error& e) {
    throw std::runtime_error("model of product '" + m.product + "': " + e.what());
  }
  m.trained_at_us = s.getColumn(3).getInt64();
  m.version = s.getColumn(4).getInt();
  return m;
}

void bind_model(SQLite::Statement& s, const StoredModel& m, const std::string& report,
                int version) {
  s.bind(1, m.tenant_id);
  s.bind(2, m.product);
  s.bind(3, m.job_id);
  s.bind(4, report);
  s.bind(5, m.trained_at_us);
  s.bind(6, version);
}

}  // namespace

void SqliteStore::log_forecast(const std::string& tenant, const std::string& product,
                               const forecast::FitReport& report, int version) {
  auto& impl = *impl_;
  const auto rows = forecast_log::rows_of(report);
  if (rows.empty()) return;
  for (const auto& row : rows) {
    StatementUse s(impl.flog_upsert);
    s->bind(1, tenant);
    s->bind(2, product);
    s->bind(3, row.day);
    s->bind(4, row.lead);
    s->bind(5, version);
    s->bind(6, row.yhat);
    s->bind(7, row.lower);
    s->bind(8, row.upper);
    s->exec();
  }
  StatementUse trim(impl.flog_trim);
  trim->bind(1, tenant);
  trim->bind(2, product);
  trim->bind(3, forecast_log::oldest_kept(rows));
  trim->exec();
}

int SqliteStore::save_model(const StoredModel& model) {
  const std::string report = json_columns::encode_report(model.report);
  return impl_->locked("save_model", [&] {
    SQLite::Transaction tx(impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
    int version = 1;
    {
      StatementUse q(impl_->version_next);
      q->bind(1, model.tenant_id);
      q->bind(2, model.product);
      if (q->executeStep()) version = q->getColumn(0).getInt();
    }
    {
      StatementUse s(impl_->version_insert);
      bind_model(*s, model, report, version);
      s->exec();
    }
    {
      StatementUse s(impl_->version_trim);
      s->bind(1, model.tenant_id);
      s->bind(2, model.product);
      s->bind(3, version - kModelVersionsKept);
      s->exec();
    }
    {
      StatementUse s(impl_->model_upsert);
      bind_model(*s, model, report, version);
      s->exec();
    }
    log_forecast(model.tenant_id, model.product, model.report, version);
    tx.commit();
    return version;
  });
}

std::optional<StoredModel> SqliteStore::get_model(const std::string& tenant,
                                                  const std::string& product) {
  return impl_->locked("get_model", [&]() -> std::optional<StoredModel> {
    StatementUse q(impl_->model_get);
    q->bind(1, tenant);
    q->bind(2, product);
    if (!q->executeStep()) return std::nullopt;
    return read_model(*q, tenant);
  });
}

std::vector<StoredModel> SqliteStore::list_models(const std::string& tenant) {
  return impl_->locked("list_models", [&] {
    StatementUse q(impl_->model_list);
    q->bind(1, tenant);
    std::vector<StoredModel> out;
    while (q->executeStep()) out.push_back(read_model(*q, tenant));
    return out;
  });
}

std::vector<StoredModel> SqliteStore::list_model_versions(const std::string& tenant,
                                                          const std::string& product) {
  return impl_->locked("list_model_versions", [&] {
    StatementUse q(impl_->version_list);
    q->bind(1, tenant);
    q->bind(2, product);
    std::vector<StoredModel> out;
    while (q->executeStep()) out.push_back(read_model(*q, tenant));
    return out;
  });
}

bool SqliteStore::rollback_model(const std::string& tenant, const std::string& product,
                                 int version) {
  return impl_->locked("rollback_model", [&] {
    SQLite::Transaction tx(impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
    std::string job_id;
    std::string report;
    std::int64_t trained_at = 0;
    {
      StatementUse q(impl_->version_get);
      q->bind(1, tenant);
      q->bind(2, product);
      q->bind(3, version);
      if (!q->executeStep()) return false;
      job_id = q->getColumn(1).getString();
      report = q->getColumn(2).getString();
      trained_at = q->getColumn(3).getInt64();
    }
    StoredModel m;
    m.tenant_id = tenant;
    m.product = product;
    m.job_id = std::move(job_id);
    m.trained_at_us = trained_at;
    {
      StatementUse s(impl_->model_upsert);
      bind_model(*s, m, report, version);
      s->exec();
    }
    log_forecast(tenant, product, json_columns::decode_report(report), version);
    tx.commit();
    return true;
  });
}

std::vector<MetForecast> SqliteStore::met_forecasts(const std::string& tenant, forecast::Date from,
                                                    std::size_t limit) {
  return impl_->locked("met_forecasts", [&] {
    StatementUse q(impl_->flog_met);
    q->bind(1, tenant);
    q->bind(2, static_cast<std::int64_t>(from.time_since_epoch().count()));
    q->bind(3, static_cast<std::int64_t>(limit));
    std::vector<MetForecast> out;
    while (q->executeStep()) {
      out.push_back({.product = q->getColumn(0).getString(),
                     .date = forecast::Date{std::chrono::days{q->getColumn(1).getInt64()}},
                     .lead = q->getColumn(2).getInt(),
                     .version = q->getColumn(3).getInt(),
                     .yhat = q->getColumn(4).getDouble(),
                     .lower = q->getColumn(5).getDouble(),
                     .upper = q->getColumn(6).getDouble(),
                     .sold = q->getColumn(7).getDouble(),
                     .sold_out = q->getColumn(8).getInt() != 0});
    }
    return out;
  });
}

}  // namespace levain::training
