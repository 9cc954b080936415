// SqliteStore: the latest trained model (report and forecast) per product.
#include <stdexcept>

#include "training/store/json_columns.hpp"
#include "training/store/sqlite/impl.hpp"

namespace levain::training {
namespace {

// Reads a row of (product, job_id, report, trained_at).
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
  return m;
}

}  // namespace

void SqliteStore::save_model(const StoredModel& model) {
  const std::string report = json_columns::encode_report(model.report);
  impl_->locked("save_model", [&] {
    StatementUse s(impl_->model_upsert);
    s->bind(1, model.tenant_id);
    s->bind(2, model.product);
    s->bind(3, model.job_id);
    s->bind(4, report);
    s->bind(5, model.trained_at_us);
    s->exec();
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

}  // namespace levain::training
