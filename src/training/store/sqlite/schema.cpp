#include "training/store/sqlite/schema.hpp"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <array>
#include <stdexcept>
#include <string>

namespace levain::training {
namespace {

struct Migration {
  int version;
  const char* sql;
};

// Dates are whole days since 1970-01-01 and timestamps Unix microseconds: integers sort and
// compare cheaply. NaN binds as NULL in SQLite, so NOT NULL plus the range CHECK keep every
// stored quantity finite; nullable metric columns mean "undefined" (NaN).
constexpr const char* kV1 = R"sql(
CREATE TABLE IF NOT EXISTS sales (
  tenant     TEXT    NOT NULL,
  product    TEXT    NOT NULL,
  day        INTEGER NOT NULL,
  quantity   REAL    NOT NULL
             CHECK (quantity BETWEEN -1.7976931348623157e308 AND 1.7976931348623157e308),
  regressors TEXT    NOT NULL DEFAULT '{}',
  PRIMARY KEY (tenant, product, day)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS jobs (
  job_id             TEXT    NOT NULL PRIMARY KEY,
  tenant             TEXT    NOT NULL,
  status             TEXT    NOT NULL
                     CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
  progress           INTEGER NOT NULL,
  seq                INTEGER NOT NULL,
  total_products     INTEGER NOT NULL,
  products_completed INTEGER NOT NULL,
  horizon_days       INTEGER NOT NULL,
  requested_products TEXT    NOT NULL DEFAULT '[]',
  current_step       TEXT    NOT NULL DEFAULT '',
  error              TEXT    NOT NULL DEFAULT '',
  created_at         INTEGER NOT NULL,
  started_at         INTEGER NOT NULL DEFAULT 0,
  finished_at        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS jobs_by_tenant ON jobs (tenant, created_at);
CREATE INDEX IF NOT EXISTS jobs_by_status ON jobs (status, created_at);

CREATE TABLE IF NOT EXISTS job_products (
  job_id          TEXT    NOT NULL REFERENCES jobs (job_id) ON DELETE CASCADE,
  idx             INTEGER NOT NULL,
  product         TEXT    NOT NULL,
  status          TEXT    NOT NULL,
  error           TEXT    NOT NULL,
  model           TEXT    NOT NULL,
  fallback        INTEGER NOT NULL,
  fallback_reason TEXT    NOT NULL,
  mae REAL, rmse REAL, mape REAL, smape REAL, mase REAL, fit_ms REAL,
  PRIMARY KEY (job_id, idx)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS models (
  tenant     TEXT    NOT NULL,
  product    TEXT    NOT NULL,
  job_id     TEXT    NOT NULL,
  report     TEXT    NOT NULL,
  trained_at INTEGER NOT NULL,
  PRIMARY KEY (tenant, product)
) WITHOUT ROWID;
)sql";

// v2: a holiday calendar per tenant (the forecaster's holiday regressor).
constexpr const char* kV2 = R"sql(
CREATE TABLE IF NOT EXISTS holidays (
  tenant TEXT    NOT NULL,
  day    INTEGER NOT NULL,
  name   TEXT    NOT NULL,
  PRIMARY KEY (tenant, day, name)
) WITHOUT ROWID;
)sql";

// v3: job ownership across replicas: the lease of the replica running a job and the cancel
// flag any replica may set (0 = no lease, so rows from v2 are free to claim).
constexpr const char* kV3 = R"sql(
ALTER TABLE jobs ADD COLUMN owner TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0;
CREATE INDEX IF NOT EXISTS jobs_by_lease ON jobs (status, lease_until);
)sql";

// v4: when each tenant last uploaded sales, and how many rows that upload wrote (tenants whose
// sales came before v4 have no row: their last upload is unknown).
constexpr const char* kV4 = R"sql(
CREATE TABLE IF NOT EXISTS sales_uploads (
  tenant      TEXT    NOT NULL PRIMARY KEY,
  uploaded_at INTEGER NOT NULL,
  row_count   INTEGER NOT NULL
) WITHOUT ROWID;
)sql";

// v5: what a watcher acts on, kept with the job (ETA, products in flight, running accuracy, the
// data report: docs/live-protocol.md), what each upload refused or replaced, and each tenant's
// webhooks with every delivery attempt (docs/webhooks.md).
constexpr const char* kV5 = R"sql(
ALTER TABLE jobs ADD COLUMN live TEXT NOT NULL DEFAULT '{}';
ALTER TABLE sales_uploads ADD COLUMN negative_rows INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sales_uploads ADD COLUMN unknown_rows INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sales_uploads ADD COLUMN replaced_rows INTEGER NOT NULL DEFAULT 0;
CREATE TABLE IF NOT EXISTS webhooks (
  tenant TEXT    NOT NULL,
  idx    INTEGER NOT NULL,
  url    TEXT    NOT NULL,
  events TEXT    NOT NULL,
  secret TEXT    NOT NULL,
  PRIMARY KEY (tenant, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS webhook_deliveries (
  id              TEXT    NOT NULL PRIMARY KEY,
  tenant          TEXT    NOT NULL,
  job_id          TEXT    NOT NULL,
  event           TEXT    NOT NULL,
  url             TEXT    NOT NULL,
  secret          TEXT    NOT NULL,
  body            TEXT    NOT NULL,
  status          TEXT    NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_at         INTEGER NOT NULL,
  created_at      INTEGER NOT NULL,
  last_attempt_at INTEGER NOT NULL DEFAULT 0,
  last_status     INTEGER NOT NULL DEFAULT 0,
  last_error      TEXT    NOT NULL DEFAULT '',
  lease_owner     TEXT    NOT NULL DEFAULT '',
  lease_until     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS deliveries_due ON webhook_deliveries (status, next_at);
CREATE INDEX IF NOT EXISTS deliveries_by_tenant ON webhook_deliveries (tenant, created_at);
)sql";

// v6: the bake plan's inputs (each product's economics, the tenant's default cost share) and
// the last versions of each model, so a bad retrain can be rolled back. `models` keeps the
// version served; a model stored before v6 becomes version 1.
constexpr const char* kV6 = R"sql(
ALTER TABLE models ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
CREATE TABLE IF NOT EXISTS model_versions (
  tenant     TEXT    NOT NULL,
  product    TEXT    NOT NULL,
  version    INTEGER NOT NULL,
  job_id     TEXT    NOT NULL,
  report     TEXT    NOT NULL,
  trained_at INTEGER NOT NULL,
  PRIMARY KEY (tenant, product, version)
) WITHOUT ROWID;
INSERT OR IGNORE INTO model_versions (tenant, product, version, job_id, report, trained_at)
  SELECT tenant, product, 1, job_id, report, trained_at FROM models;
CREATE TABLE IF NOT EXISTS products (
  tenant     TEXT    NOT NULL,
  product    TEXT    NOT NULL,
  unit_cost  REAL    NOT NULL CHECK (unit_cost >= 0),
  price      REAL    NOT NULL CHECK (price > 0),
  min_batch  INTEGER NOT NULL CHECK (min_batch >= 0),
  batch_size INTEGER NOT NULL CHECK (batch_size >= 1),
  PRIMARY KEY (tenant, product)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tenant_settings (
  tenant          TEXT NOT NULL PRIMARY KEY,
  unit_cost_share REAL NOT NULL CHECK (unit_cost_share >= 0 AND unit_cost_share <= 1)
) WITHOUT ROWID;
)sql";

// v7: sold-out days (the day's quantity is a lower bound on demand) and the forecast log, which
// keeps what each served model forecast so that later sales can check it.
constexpr const char* kV7 = R"sql(
ALTER TABLE sales ADD COLUMN sold_out INTEGER NOT NULL DEFAULT 0 CHECK (sold_out IN (0, 1));
CREATE TABLE IF NOT EXISTS forecast_log (
  tenant  TEXT    NOT NULL,
  product TEXT    NOT NULL,
  day     INTEGER NOT NULL,
  lead    INTEGER NOT NULL,
  version INTEGER NOT NULL,
  yhat    REAL    NOT NULL,
  lower   REAL    NOT NULL,
  upper   REAL    NOT NULL,
  PRIMARY KEY (tenant, product, day, lead)
) WITHOUT ROWID;
)sql";

// v8: what each upload weighed, for the upload-bytes quota that holds across replicas.
constexpr const char* kV8 = R"sql(
CREATE TABLE IF NOT EXISTS upload_bytes (
  tenant TEXT    NOT NULL,
  at_us  INTEGER NOT NULL,
  bytes  INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS upload_bytes_by_tenant ON upload_bytes (tenant, at_us);
)sql";

constexpr std::array<Migration, 8> kMigrations{
    {{1, kV1}, {2, kV2}, {3, kV3}, {4, kV4}, {5, kV5}, {6, kV6}, {7, kV7}, {8, kV8}}};
static_assert(kMigrations.back().version == kSqliteSchemaVersion);

int read_version(SQLite::Database& db) {
  SQLite::Statement q(db, "SELECT version FROM schema_version WHERE id = 1");
  return q.executeStep() ? q.getColumn(0).getInt() : 0;
}

}  // namespace

int migrate_sqlite_schema(SQLite::Database& db) {
  // IMMEDIATE: two processes opening a fresh file at once must not both migrate.
  SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
  db.exec(
      "CREATE TABLE IF NOT EXISTS schema_version ("
      " id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)");
  int version = read_version(db);
  if (version > kSqliteSchemaVersion) {
    throw std::runtime_error("database schema version " + std::to_string(version) +
                             " is newer than this build supports (" +
                             std::to_string(kSqliteSchemaVersion) + ")");
  }
  for (const Migration& m : kMigrations) {
    if (m.version <= version) continue;
    db.exec(m.sql);
    version = m.version;
  }
  SQLite::Statement set(db,
                        "INSERT INTO schema_version (id, version) VALUES (1, ?) "
                        "ON CONFLICT (id) DO UPDATE SET version = excluded.version");
  set.bind(1, version);
  set.exec();
  tx.commit();
  return version;
}

}  // namespace levain::training
