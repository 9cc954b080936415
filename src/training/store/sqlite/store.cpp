#include "training/store/sqlite/store.hpp"

#include <filesystem>
#include <initializer_list>
#include <stdexcept>
#include <string_view>

#include "training/store/sqlite/impl.hpp"
#include "training/store/sqlite/schema.hpp"

namespace levain::training {
namespace {

constexpr int kBusyTimeoutMs = 5000;

// SQLite would create the file but not its directory, and its own message does not say which
// part is missing; a deployment error deserves a message naming the path.
const std::string& checked_path(const std::string& path) {
  if (path.empty()) throw std::invalid_argument("sqlite store: empty database path");
  if (path == ":memory:") return path;
  const auto dir = std::filesystem::path(path).parent_path();
  if (!dir.empty() && !std::filesystem::is_directory(dir)) {
    throw std::runtime_error("sqlite store '" + path + "': directory '" + dir.string() +
                             "' does not exist");
  }
  return path;
}

SQLite::Database open_database(const std::string& path) {
  try {
    SQLite::Database db(checked_path(path), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE,
                        kBusyTimeoutMs);
    // WAL lets readers run beside the writer; NORMAL skips the fsync per commit (a crash of the
    // process loses nothing, a power cut may lose the last commits).
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
    db.exec("PRAGMA foreign_keys = ON");
    return db;
  } catch (const SQLite::Exception& e) {
    throw std::runtime_error("sqlite store '" + path + "': cannot open: " + e.what());
  }
}

int migrate(SQLite::Database& db, const std::string& path) {
  try {
    return migrate_sqlite_schema(db);
  } catch (const std::exception& e) {
    throw std::runtime_error("sqlite store '" + path + "': schema: " + e.what());
  }
}

std::string sql(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (auto p : parts) out += p;
  return out;
}

}  // namespace

SqliteStore::Impl::Impl(const std::string& p)
    : path(p),
      db(open_database(p)),
      schema_version(migrate(db, p)),
      ping(db, "SELECT 1"),
      sales_insert(db,
                   "INSERT INTO sales (tenant, product, day, quantity, regressors, sold_out) "
                   "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant, product, day) DO NOTHING"),
      sales_update(db,
                   "UPDATE sales SET quantity = ?, regressors = ?, sold_out = ? "
                   "WHERE tenant = ? AND product = ? AND day = ?"),
      sales_products(db, "SELECT DISTINCT product FROM sales WHERE tenant = ? ORDER BY product"),
      sales_series(db,
                   "SELECT day, quantity, regressors, sold_out FROM sales "
                   "WHERE tenant = ? AND product = ? ORDER BY day"),
      // Newest first, so a LIMIT keeps the most recent days (the caller reverses them).
      sales_window(db,
                   "SELECT day, quantity FROM sales WHERE tenant = ? AND product = ? "
                   "AND day BETWEEN ? AND ? ORDER BY day DESC LIMIT ?"),
      sales_exists(db, "SELECT 1 FROM sales WHERE tenant = ? AND product = ? LIMIT 1"),
      sales_per_product(db,
                        "SELECT product, MIN(day), MAX(day), COUNT(*) FROM sales "
                        "WHERE tenant = ? GROUP BY product ORDER BY product"),
      upload_record(db,
                    "INSERT INTO sales_uploads (tenant, uploaded_at, row_count, negative_rows, "
                    "unknown_rows, replaced_rows) VALUES (?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (tenant) DO UPDATE SET uploaded_at = excluded.uploaded_at, "
                    "row_count = excluded.row_count, negative_rows = excluded.negative_rows, "
                    "unknown_rows = excluded.unknown_rows, replaced_rows = excluded.replaced_rows"),
      upload_get(db, "SELECT uploaded_at, row_count FROM sales_uploads WHERE tenant = ?"),
      upload_quality(db,
                     "SELECT negative_rows, unknown_rows, replaced_rows FROM sales_uploads "
                     "WHERE tenant = ?"),
      job_insert(db, sql({"INSERT INTO jobs (", kJobColumns, ") VALUES (", kJobValues, ")"})),
      job_upsert(db, sql({"INSERT INTO jobs (", kJobColumns, ") VALUES (", kJobValues,
                          ") ON CONFLICT (job_id) DO UPDATE SET status = excluded.status, "
                          "progress = excluded.progress, seq = excluded.seq, "
                          "total_products = excluded.total_products, "
                          "products_completed = excluded.products_completed, "
                          "horizon_days = excluded.horizon_days, "
                          "requested_products = excluded.requested_products, "
                          "current_step = excluded.current_step, error = excluded.error, "
                          "created_at = excluded.created_at, started_at = excluded.started_at, "
                          "finished_at = excluded.finished_at, live = excluded.live "
                          "WHERE jobs.tenant = excluded.tenant "
                          "AND jobs.status IN ('pending', 'running')"})),
      job_get(db, sql({"SELECT ", kJobColumns, " FROM jobs WHERE tenant = ? AND job_id = ?"})),
      job_list(db,
               sql({"SELECT ", kJobColumns,
                    " FROM jobs WHERE tenant = ? ORDER BY created_at DESC, rowid DESC LIMIT ?"})),
      job_unfinished(db, sql({"SELECT ", kJobColumns,
                              " FROM jobs WHERE status IN ('pending', 'running') "
                              "ORDER BY created_at, rowid"})),
      job_active(db,
                 "SELECT job_id, status FROM jobs WHERE tenant = ? AND status IN ('pending', "
                 "'running') ORDER BY created_at, rowid LIMIT 1"),
      job_tenant(db, "SELECT tenant FROM jobs WHERE job_id = ?"),
      job_request_cancel(db,
                         "UPDATE jobs SET cancel_requested = 1 WHERE tenant = ? AND job_id = ? "
                         "AND status IN ('pending', 'running')"),
      job_cancel_requested(db, "SELECT cancel_requested FROM jobs WHERE job_id = ?"),
      job_renew(db,
                "UPDATE jobs SET lease_until = ? WHERE job_id = ? AND owner = ? "
                "AND status IN ('pending', 'running')"),
      job_expired(db, sql({"SELECT ", kJobColumns,
                           " FROM jobs WHERE status IN ('pending', 'running') AND lease_until < ? "
                           "ORDER BY created_at, rowid LIMIT ?"})),
      job_claim(db,
                "UPDATE jobs SET owner = ?1, lease_until = ?2 WHERE job_id = ?3 "
                "AND status IN ('pending', 'running') AND (owner = ?1 OR lease_until < ?4)"),
      result_next_idx(db, "SELECT COALESCE(MAX(idx) + 1, 0) FROM job_products WHERE job_id = ?"),
      result_trim(db, "DELETE FROM job_products WHERE job_id = ? AND idx >= ?"),
      result_insert(db,
                    "INSERT INTO job_products (job_id, idx, product, status, error, model, "
                    "fallback, fallback_reason, mae, rmse, mape, smape, mase, fit_ms) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
      result_select(db,
                    "SELECT product, status, error, model, fallback, fallback_reason, "
                    "mae, rmse, mape, smape, mase, fit_ms FROM job_products "
                    "WHERE job_id = ? ORDER BY idx"),
      holiday_clear(db, "DELETE FROM holidays WHERE tenant = ?"),
      holiday_insert(db,
                     "INSERT INTO holidays (tenant, day, name) VALUES (?, ?, ?) "
                     "ON CONFLICT (tenant, day, name) DO NOTHING"),
      holiday_list(db, "SELECT day, name FROM holidays WHERE tenant = ? ORDER BY day, name"),
      model_upsert(db,
                   "INSERT INTO models (tenant, product, job_id, report, trained_at, version) "
                   "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant, product) DO UPDATE SET "
                   "job_id = excluded.job_id, report = excluded.report, "
                   "trained_at = excluded.trained_at, version = excluded.version"),
      model_get(db,
                "SELECT product, job_id, report, trained_at, version FROM models "
                "WHERE tenant = ? AND product = ?"),
      model_list(db,
                 "SELECT product, job_id, report, trained_at, version FROM models "
                 "WHERE tenant = ? ORDER BY product"),
      version_next(db,
                   "SELECT COALESCE(MAX(version), 0) + 1 FROM model_versions "
                   "WHERE tenant = ? AND product = ?"),
      version_insert(db,
                     "INSERT INTO model_versions (tenant, product, job_id, report, trained_at, "
                     "version) VALUES (?, ?, ?, ?, ?, ?)"),
      version_trim(db,
                   "DELETE FROM model_versions WHERE tenant = ? AND product = ? AND version <= ?"),
      version_get(db,
                  "SELECT product, job_id, report, trained_at, version FROM model_versions "
                  "WHERE tenant = ? AND product = ? AND version = ?"),
      version_list(db,
                   "SELECT product, job_id, report, trained_at, version FROM model_versions "
                   "WHERE tenant = ? AND product = ? ORDER BY version DESC"),
      flog_upsert(db,
                  "INSERT INTO forecast_log (tenant, product, day, lead, version, yhat, lower, "
                  "upper) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                  "ON CONFLICT (tenant, product, day, lead) DO UPDATE SET "
                  "version = excluded.version, yhat = excluded.yhat, lower = excluded.lower, "
                  "upper = excluded.upper"),
      flog_trim(db, "DELETE FROM forecast_log WHERE tenant = ? AND product = ? AND day < ?"),
      flog_met(db,
               "SELECT f.product, f.day, f.lead, f.version, f.yhat, f.lower, f.upper, "
               "s.quantity, s.sold_out FROM forecast_log f JOIN sales s ON s.tenant = f.tenant "
               "AND s.product = f.product AND s.day = f.day WHERE f.tenant = ? AND f.day >= ? "
               "ORDER BY f.product, f.day, f.lead LIMIT ?"),
      product_clear(db, "DELETE FROM products WHERE tenant = ?"),
      product_insert(db,
                     "INSERT INTO products (tenant, product, unit_cost, price, min_batch, "
                     "batch_size) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant, product) DO "
                     "UPDATE SET unit_cost = excluded.unit_cost, price = excluded.price, "
                     "min_batch = excluded.min_batch, batch_size = excluded.batch_size"),
      product_list(db,
                   "SELECT product, unit_cost, price, min_batch, batch_size FROM products "
                   "WHERE tenant = ? ORDER BY product"),
      share_set(db,
                "INSERT INTO tenant_settings (tenant, unit_cost_share) VALUES (?, ?) "
                "ON CONFLICT (tenant) DO UPDATE SET unit_cost_share = excluded.unit_cost_share"),
      share_get(db, "SELECT unit_cost_share FROM tenant_settings WHERE tenant = ?") {}

SqliteStore::SqliteStore(const std::string& path) : impl_(std::make_unique<Impl>(path)) {}

SqliteStore::~SqliteStore() = default;

bool SqliteStore::healthy() {
  try {
    return impl_->locked("healthy", [&] {
      StatementUse q(impl_->ping);
      return q->executeStep() && q->getColumn(0).getInt() == 1;
    });
  } catch (const std::exception&) {
    return false;
  }
}

int SqliteStore::schema_version() const { return impl_->schema_version; }

}  // namespace levain::training
