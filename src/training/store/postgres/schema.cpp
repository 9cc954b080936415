#include "training/store/postgres/schema.hpp"

#include <array>
#include <stdexcept>
#include <string>

namespace levain::training {
namespace {

struct Migration {
  int version;
  const char* sql;
};

// The same tables as the SQLite store: dates as whole days since 1970-01-01, timestamps as Unix
// microseconds. Quantities must be finite (NaN and ±Infinity fail the range check); metric
// columns keep NaN for "undefined". `ord` breaks ties between jobs created in the same
// microsecond, as SQLite's rowid does.
constexpr const char* kV1 = R"sql(
CREATE TABLE IF NOT EXISTS sales (
  tenant     text             NOT NULL,
  product    text             NOT NULL,
  day        integer          NOT NULL,
  quantity   double precision NOT NULL
             CHECK (quantity BETWEEN -1.7976931348623157e308 AND 1.7976931348623157e308),
  regressors text             NOT NULL DEFAULT '{}',
  PRIMARY KEY (tenant, product, day)
);

CREATE TABLE IF NOT EXISTS jobs (
  job_id             text    NOT NULL PRIMARY KEY,
  tenant             text    NOT NULL,
  status             text    NOT NULL
                     CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
  progress           integer NOT NULL,
  seq                bigint  NOT NULL,
  total_products     integer NOT NULL,
  products_completed integer NOT NULL,
  horizon_days       integer NOT NULL,
  requested_products text    NOT NULL DEFAULT '[]',
  current_step       text    NOT NULL DEFAULT '',
  error              text    NOT NULL DEFAULT '',
  created_at         bigint  NOT NULL,
  started_at         bigint  NOT NULL DEFAULT 0,
  finished_at        bigint  NOT NULL DEFAULT 0,
  ord                bigserial
);
CREATE INDEX IF NOT EXISTS jobs_by_tenant ON jobs (tenant, created_at);
CREATE INDEX IF NOT EXISTS jobs_by_status ON jobs (status, created_at);

CREATE TABLE IF NOT EXISTS job_products (
  job_id          text    NOT NULL REFERENCES jobs (job_id) ON DELETE CASCADE,
  idx             integer NOT NULL,
  product         text    NOT NULL,
  status          text    NOT NULL,
  error           text    NOT NULL,
  model           text    NOT NULL,
  fallback        boolean NOT NULL,
  fallback_reason text    NOT NULL,
  mae double precision, rmse double precision, mape double precision,
  smape double precision, mase double precision, fit_ms double precision,
  PRIMARY KEY (job_id, idx)
);

CREATE TABLE IF NOT EXISTS models (
  tenant     text   NOT NULL,
  product    text   NOT NULL,
  job_id     text   NOT NULL,
  report     text   NOT NULL,
  trained_at bigint NOT NULL,
  PRIMARY KEY (tenant, product)
);
)sql";

// v2: a holiday calendar per tenant (the forecaster's holiday regressor).
constexpr const char* kV2 = R"sql(
CREATE TABLE IF NOT EXISTS holidays (
  tenant text    NOT NULL,
  day    integer NOT NULL,
  name   text    NOT NULL,
  PRIMARY KEY (tenant, day, name)
);
)sql";

// v3: job ownership across replicas (lease of the running replica, cancel flag).
constexpr const char* kV3 = R"sql(
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS owner text NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS lease_until bigint NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS cancel_requested boolean NOT NULL DEFAULT false;
CREATE INDEX IF NOT EXISTS jobs_by_lease ON jobs (status, lease_until);
)sql";

// v4: when each tenant last uploaded sales, and how many rows that upload wrote (tenants whose
// sales came before v4 have no row: their last upload is unknown).
constexpr const char* kV4 = R"sql(
CREATE TABLE IF NOT EXISTS sales_uploads (
  tenant      text    NOT NULL PRIMARY KEY,
  uploaded_at bigint  NOT NULL,
  row_count   bigint  NOT NULL
);
)sql";

// v5: what a watcher acts on, kept with the job (ETA, products in flight, running accuracy, the
// data report: docs/live-protocol.md), what each upload refused or replaced, and each tenant's
// webhooks with every delivery attempt (docs/webhooks.md).
constexpr const char* kV5 = R"sql(
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS live text NOT NULL DEFAULT '{}';
ALTER TABLE sales_uploads ADD COLUMN IF NOT EXISTS negative_rows bigint NOT NULL DEFAULT 0;
ALTER TABLE sales_uploads ADD COLUMN IF NOT EXISTS unknown_rows bigint NOT NULL DEFAULT 0;
ALTER TABLE sales_uploads ADD COLUMN IF NOT EXISTS replaced_rows bigint NOT NULL DEFAULT 0;
CREATE TABLE IF NOT EXISTS webhooks (
  tenant text    NOT NULL,
  idx    bigint  NOT NULL,
  url    text    NOT NULL,
  events text    NOT NULL,
  secret text    NOT NULL,
  PRIMARY KEY (tenant, idx)
);
CREATE TABLE IF NOT EXISTS webhook_deliveries (
  id              text    NOT NULL PRIMARY KEY,
  tenant          text    NOT NULL,
  job_id          text    NOT NULL,
  event           text    NOT NULL,
  url             text    NOT NULL,
  secret          text    NOT NULL,
  body            text    NOT NULL,
  status          text    NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts        bigint  NOT NULL DEFAULT 0,
  next_at         bigint  NOT NULL,
  created_at      bigint  NOT NULL,
  last_attempt_at bigint  NOT NULL DEFAULT 0,
  last_status     bigint  NOT NULL DEFAULT 0,
  last_error      text    NOT NULL DEFAULT '',
  lease_owner     text    NOT NULL DEFAULT '',
  lease_until     bigint  NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS deliveries_due ON webhook_deliveries (status, next_at);
CREATE INDEX IF NOT EXISTS deliveries_by_tenant ON webhook_deliveries (tenant, created_at);
)sql";

// v6: as the SQLite store's v6 (products' economics, the default cost share, model versions).
constexpr const char* kV6 = R"sql(
ALTER TABLE models ADD COLUMN IF NOT EXISTS version integer NOT NULL DEFAULT 1;
CREATE TABLE IF NOT EXISTS model_versions (
  tenant     text    NOT NULL,
  product    text    NOT NULL,
  version    integer NOT NULL,
  job_id     text    NOT NULL,
  report     text    NOT NULL,
  trained_at bigint  NOT NULL,
  PRIMARY KEY (tenant, product, version)
);
INSERT INTO model_versions (tenant, product, version, job_id, report, trained_at)
  SELECT tenant, product, 1, job_id, report, trained_at FROM models
  ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS products (
  tenant     text             NOT NULL,
  product    text             NOT NULL,
  unit_cost  double precision NOT NULL CHECK (unit_cost >= 0 AND unit_cost < 'Infinity'),
  price      double precision NOT NULL CHECK (price > 0 AND price < 'Infinity'),
  min_batch  integer          NOT NULL CHECK (min_batch >= 0),
  batch_size integer          NOT NULL CHECK (batch_size >= 1),
  PRIMARY KEY (tenant, product)
);
CREATE TABLE IF NOT EXISTS tenant_settings (
  tenant          text             NOT NULL PRIMARY KEY,
  unit_cost_share double precision NOT NULL CHECK (unit_cost_share BETWEEN 0 AND 1)
);
)sql";

// v7: sold-out days (the day's quantity is a lower bound on demand) and the forecast log, which
// keeps what each served model forecast so that later sales can check it.
constexpr const char* kV7 = R"sql(
ALTER TABLE sales ADD COLUMN IF NOT EXISTS sold_out boolean NOT NULL DEFAULT false;
CREATE TABLE IF NOT EXISTS forecast_log (
  tenant  text             NOT NULL,
  product text             NOT NULL,
  day     integer          NOT NULL,
  lead    integer          NOT NULL,
  version integer          NOT NULL,
  yhat    double precision NOT NULL,
  lower   double precision NOT NULL,
  upper   double precision NOT NULL,
  PRIMARY KEY (tenant, product, day, lead)
);
)sql";

// v8: what each upload weighed, for the upload-bytes quota that holds across replicas.
constexpr const char* kV8 = R"sql(
CREATE TABLE IF NOT EXISTS upload_bytes (
  tenant text   NOT NULL,
  at_us  bigint  NOT NULL,
  bytes  bigint  NOT NULL
);
CREATE INDEX IF NOT EXISTS upload_bytes_by_tenant ON upload_bytes (tenant, at_us);
)sql";

constexpr std::array<Migration, 8> kMigrations{
    {{1, kV1}, {2, kV2}, {3, kV3}, {4, kV4}, {5, kV5}, {6, kV6}, {7, kV7}, {8, kV8}}};
static_assert(kMigrations.back().version == kPostgresSchemaVersion);

}  // namespace

int migrate_postgres_schema(pqxx::connection& conn) {
  pqxx::work tx(conn);
  // Held until commit; keyed by schema so separate schemas (tests) migrate independently.
  tx.exec(
      "SELECT pg_advisory_xact_lock(hashtext('levain.schema:' || "
      "coalesce(current_schema(), '')))");
  tx.exec(
      "CREATE TABLE IF NOT EXISTS schema_version ("
      " id integer PRIMARY KEY CHECK (id = 1), version integer NOT NULL)");
  const auto r = tx.exec("SELECT version FROM schema_version WHERE id = 1");
  int version = r.empty() ? 0 : r[0][0].as<int>();
  if (version > kPostgresSchemaVersion) {
    throw std::runtime_error("database schema version " + std::to_string(version) +
                             " is newer than this build supports (" +
                             std::to_string(kPostgresSchemaVersion) + ")");
  }
  for (const Migration& m : kMigrations) {
    if (m.version <= version) continue;
    tx.exec(m.sql);
    version = m.version;
  }
  tx.exec_params(
      "INSERT INTO schema_version (id, version) VALUES (1, $1) "
      "ON CONFLICT (id) DO UPDATE SET version = excluded.version",
      version);
  tx.commit();
  return version;
}

}  // namespace levain::training
