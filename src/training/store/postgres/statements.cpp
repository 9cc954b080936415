// PostgresStore: the SQL of every prepared statement, and the helpers shared by the areas.
#include <charconv>
#include <chrono>
#include <stdexcept>
#include <unordered_map>

#include "training/store/json_columns.hpp"
#include "training/store/postgres/impl.hpp"

namespace levain::training::pg {
namespace {

std::string sql(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (auto p : parts) out += p;
  return out;
}

constexpr std::string_view kJobValues =
    "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15";
constexpr std::string_view kLive = "status IN ('pending', 'running')";
constexpr std::string_view kResultColumns =
    "job_id, product, status, error, model, fallback, fallback_reason, "
    "mae, rmse, mape, smape, mase, fit_ms";

template <class T, class Put>
std::string array_literal(const std::vector<T>& items, Put&& put) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    put(out, items[i]);
  }
  out += '}';
  return out;
}

}  // namespace

std::string text_array(const std::vector<std::string>& items) {
  return array_literal(items, [](std::string& out, const std::string& s) {
    out += '"';
    for (char c : s) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  });
}

std::string int_array(const std::vector<std::int64_t>& items) {
  return array_literal(items, [](std::string& out, std::int64_t v) { out += std::to_string(v); });
}

std::string double_array(const std::vector<double>& items) {
  return array_literal(items, [](std::string& out, double v) {
    char buf[32];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest exact form
    if (ec != std::errc()) throw std::runtime_error("cannot format a double");
    out.append(buf, end);
  });
}

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void prepare_statements(pqxx::connection& c) {
  // (xmax = 0) is true for a row this statement inserted, false for one it updated.
  c.prepare(stmt::kSalesUpsert,
            "INSERT INTO sales (tenant, product, day, quantity, regressors, sold_out) "
            "SELECT $1, p, d, q, r, o <> 0 FROM unnest($2::text[], $3::integer[], $4::float8[], "
            "$5::text[], $6::integer[]) AS u (p, d, q, r, o) "
            "ON CONFLICT (tenant, product, day) DO UPDATE SET quantity = excluded.quantity, "
            "regressors = excluded.regressors, sold_out = excluded.sold_out "
            "RETURNING (xmax = 0)");
  c.prepare(stmt::kSalesProducts,
            "SELECT DISTINCT product COLLATE \"C\" AS p FROM sales WHERE tenant = $1 ORDER BY p");
  c.prepare(stmt::kSalesSeries,
            "SELECT day, quantity, regressors, sold_out FROM sales "
            "WHERE tenant = $1 AND product = $2 ORDER BY day");
  // Newest first, so a LIMIT keeps the most recent days (the caller reverses them).
  c.prepare(stmt::kSalesWindow,
            "SELECT day, quantity FROM sales WHERE tenant = $1 AND product = $2 "
            "AND day BETWEEN $3 AND $4 ORDER BY day DESC LIMIT $5");
  c.prepare(stmt::kSalesExists, "SELECT 1 FROM sales WHERE tenant = $1 AND product = $2 LIMIT 1");
  c.prepare(stmt::kSalesPerProduct,
            "SELECT product COLLATE \"C\" AS p, min(day), max(day), count(*) FROM sales "
            "WHERE tenant = $1 GROUP BY p ORDER BY p");
  c.prepare(stmt::kUploadRecord,
            "INSERT INTO sales_uploads (tenant, uploaded_at, row_count, negative_rows, "
            "unknown_rows, replaced_rows) VALUES ($1, $2, $3, $4, $5, $6) "
            "ON CONFLICT (tenant) DO UPDATE SET uploaded_at = excluded.uploaded_at, "
            "row_count = excluded.row_count, negative_rows = excluded.negative_rows, "
            "unknown_rows = excluded.unknown_rows, replaced_rows = excluded.replaced_rows");
  c.prepare(stmt::kUploadGet, "SELECT uploaded_at, row_count FROM sales_uploads WHERE tenant = $1");
  c.prepare(stmt::kUploadQuality,
            "SELECT negative_rows, unknown_rows, replaced_rows FROM sales_uploads "
            "WHERE tenant = $1");

  c.prepare(stmt::kJobInsert,
            sql({"INSERT INTO jobs (", kJobColumns, ") VALUES (", kJobValues, ")"}));
  c.prepare(stmt::kJobUpsert,
            sql({"INSERT INTO jobs (", kJobColumns, ") VALUES (", kJobValues,
                 ") ON CONFLICT (job_id) DO UPDATE SET status = excluded.status, "
                 "progress = excluded.progress, seq = excluded.seq, "
                 "total_products = excluded.total_products, "
                 "products_completed = excluded.products_completed, "
                 "horizon_days = excluded.horizon_days, "
                 "requested_products = excluded.requested_products, "
                 "current_step = excluded.current_step, error = excluded.error, "
                 "created_at = excluded.created_at, started_at = excluded.started_at, "
                 "finished_at = excluded.finished_at, live = excluded.live "
                 "WHERE jobs.tenant = excluded.tenant AND jobs.",
                 kLive}));
  c.prepare(stmt::kJobTenant, "SELECT tenant FROM jobs WHERE job_id = $1");
  c.prepare(stmt::kJobGet,
            sql({"SELECT ", kJobColumns, " FROM jobs WHERE tenant = $1 AND job_id = $2"}));
  c.prepare(stmt::kJobList, sql({"SELECT ", kJobColumns,
                                 " FROM jobs WHERE tenant = $1 "
                                 "ORDER BY created_at DESC, ord DESC LIMIT $2"}));
  c.prepare(stmt::kJobUnfinished,
            sql({"SELECT ", kJobColumns, " FROM jobs WHERE ", kLive, " ORDER BY created_at, ord"}));
  c.prepare(stmt::kJobActive, sql({"SELECT job_id, status FROM jobs WHERE tenant = $1 AND ", kLive,
                                   " ORDER BY created_at, ord LIMIT 1"}));
  c.prepare(stmt::kJobExpired, sql({"SELECT ", kJobColumns, " FROM jobs WHERE ", kLive,
                                    " AND lease_until < $1 ORDER BY created_at, ord LIMIT $2"}));
  c.prepare(stmt::kJobRequestCancel,
            sql({"UPDATE jobs SET cancel_requested = true WHERE tenant = $1 AND job_id = $2 AND ",
                 kLive}));
  c.prepare(stmt::kJobCancelRequested, "SELECT cancel_requested FROM jobs WHERE job_id = $1");
  c.prepare(stmt::kJobRenew, sql({"UPDATE jobs SET lease_until = $1 WHERE owner = $2 "
                                  "AND job_id = ANY ($3::text[]) AND ",
                                  kLive}));
  c.prepare(stmt::kJobClaim,
            sql({"UPDATE jobs SET owner = $1, lease_until = $2 WHERE job_id = $3 AND ", kLive,
                 " AND (owner = $1 OR lease_until < $4)"}));

  c.prepare(stmt::kResultNextIdx,
            "SELECT COALESCE(MAX(idx) + 1, 0) FROM job_products WHERE job_id = $1");
  c.prepare(stmt::kResultTrim, "DELETE FROM job_products WHERE job_id = $1 AND idx >= $2");
  c.prepare(stmt::kResultInsert,
            "INSERT INTO job_products (job_id, idx, product, status, error, model, fallback, "
            "fallback_reason, mae, rmse, mape, smape, mase, fit_ms) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)");
  c.prepare(stmt::kResultSelect, sql({"SELECT ", kResultColumns,
                                      " FROM job_products WHERE job_id = ANY ($1::text[]) "
                                      "ORDER BY job_id, idx"}));

  c.prepare(stmt::kHolidayClear, "DELETE FROM holidays WHERE tenant = $1");
  c.prepare(stmt::kHolidayInsert,
            "INSERT INTO holidays (tenant, day, name) "
            "SELECT $1, d, n FROM unnest($2::integer[], $3::text[]) AS u (d, n) "
            "ON CONFLICT (tenant, day, name) DO NOTHING");
  c.prepare(stmt::kHolidayList,
            "SELECT day, name FROM holidays WHERE tenant = $1 ORDER BY day, name COLLATE \"C\"");

  c.prepare(stmt::kModelUpsert,
            "INSERT INTO models (tenant, product, job_id, report, trained_at, version) "
            "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant, product) DO UPDATE SET "
            "job_id = excluded.job_id, report = excluded.report, "
            "trained_at = excluded.trained_at, version = excluded.version");
  c.prepare(stmt::kModelGet,
            "SELECT product, job_id, report, trained_at, version FROM models "
            "WHERE tenant = $1 AND product = $2");
  c.prepare(stmt::kModelList,
            "SELECT product, job_id, report, trained_at, version FROM models "
            "WHERE tenant = $1 ORDER BY product COLLATE \"C\"");
  // Numbering is serialized per product by an advisory lock held to the transaction's end;
  // the next number is read by a later statement, whose snapshot sees the last holder's commit.
  c.prepare(stmt::kVersionLock,
            "SELECT pg_advisory_xact_lock(hashtext('levain.model:' || $1 || '/' || $2))");
  c.prepare(stmt::kVersionNext,
            "SELECT COALESCE(MAX(version), 0) + 1 FROM model_versions "
            "WHERE tenant = $1 AND product = $2");
  c.prepare(stmt::kVersionInsert,
            "INSERT INTO model_versions (tenant, product, job_id, report, trained_at, version) "
            "VALUES ($1, $2, $3, $4, $5, $6)");
  c.prepare(stmt::kVersionTrim,
            "DELETE FROM model_versions WHERE tenant = $1 AND product = $2 AND version <= $3");
  c.prepare(stmt::kVersionList,
            "SELECT product, job_id, report, trained_at, version FROM model_versions "
            "WHERE tenant = $1 AND product = $2 ORDER BY version DESC");
  c.prepare(stmt::kVersionRestore,
            "INSERT INTO models (tenant, product, job_id, report, trained_at, version) "
            "SELECT tenant, product, job_id, report, trained_at, version FROM model_versions "
            "WHERE tenant = $1 AND product = $2 AND version = $3 "
            "ON CONFLICT (tenant, product) DO UPDATE SET "
            "job_id = excluded.job_id, report = excluded.report, "
            "trained_at = excluded.trained_at, version = excluded.version RETURNING report");
  c.prepare(stmt::kForecastLog,
            "INSERT INTO forecast_log (tenant, product, day, lead, version, yhat, lower, upper) "
            "SELECT $1, $2, d, l, $3, y, lo, up FROM unnest($4::integer[], $5::integer[], "
            "$6::float8[], $7::float8[], $8::float8[]) AS u (d, l, y, lo, up) "
            "ON CONFLICT (tenant, product, day, lead) DO UPDATE SET version = excluded.version, "
            "yhat = excluded.yhat, lower = excluded.lower, upper = excluded.upper");
  c.prepare(stmt::kForecastLogTrim,
            "DELETE FROM forecast_log WHERE tenant = $1 AND product = $2 AND day < $3");
  c.prepare(stmt::kForecastMet,
            "SELECT f.product, f.day, f.lead, f.version, f.yhat, f.lower, f.upper, s.quantity, "
            "s.sold_out FROM forecast_log f JOIN sales s ON s.tenant = f.tenant "
            "AND s.product = f.product AND s.day = f.day WHERE f.tenant = $1 AND f.day >= $2 "
            "ORDER BY f.product COLLATE \"C\", f.day, f.lead LIMIT $3");

  c.prepare(stmt::kUsageActive, sql({"SELECT count(*) FROM jobs WHERE tenant = $1 AND ", kLive}));
  c.prepare(stmt::kUsageStarts,
            "SELECT created_at FROM jobs WHERE tenant = $1 AND created_at >= $2 "
            "ORDER BY created_at LIMIT $3");
  c.prepare(stmt::kUsageUploads,
            "SELECT at_us, bytes FROM upload_bytes WHERE tenant = $1 AND at_us >= $2 "
            "ORDER BY at_us LIMIT $3");
  c.prepare(stmt::kUsageRecord,
            "INSERT INTO upload_bytes (tenant, at_us, bytes) VALUES ($1, $2, $3)");
  c.prepare(stmt::kUsageTrim, "DELETE FROM upload_bytes WHERE tenant = $1 AND at_us < $2");

  c.prepare(stmt::kProductClear, "DELETE FROM products WHERE tenant = $1");
  c.prepare(stmt::kProductInsert,
            "INSERT INTO products (tenant, product, unit_cost, price, min_batch, batch_size) "
            "SELECT $1, p, c, v, m, b FROM unnest($2::text[], $3::double precision[], "
            "$4::double precision[], $5::integer[], $6::integer[]) AS u (p, c, v, m, b) "
            "ON CONFLICT (tenant, product) DO UPDATE SET unit_cost = excluded.unit_cost, "
            "price = excluded.price, min_batch = excluded.min_batch, "
            "batch_size = excluded.batch_size");
  c.prepare(stmt::kProductList,
            "SELECT product, unit_cost, price, min_batch, batch_size FROM products "
            "WHERE tenant = $1 ORDER BY product COLLATE \"C\"");
  c.prepare(stmt::kShareSet,
            "INSERT INTO tenant_settings (tenant, unit_cost_share) VALUES ($1, $2) "
            "ON CONFLICT (tenant) DO UPDATE SET unit_cost_share = excluded.unit_cost_share");
  c.prepare(stmt::kShareGet, "SELECT unit_cost_share FROM tenant_settings WHERE tenant = $1");
}

JobRecord read_job(const pqxx::row& r) {
  JobRecord j;
  j.job_id = r[0].as<std::string>();
  j.tenant_id = r[1].as<std::string>();
  const auto status = r[2].as<std::string>();
  const auto parsed = parse_job_status(status);
  if (!parsed) throw std::runtime_error("job " + j.job_id + " has unknown status '" + status + "'");
  j.status = *parsed;
  j.progress = r[3].as<int>();
  j.seq = static_cast<std::uint64_t>(r[4].as<std::int64_t>());
  j.total_products = r[5].as<int>();
  j.products_completed = r[6].as<int>();
  j.horizon_days = r[7].as<int>();
  j.requested_products = json_columns::decode_strings(r[8].as<std::string>());
  j.current_step = r[9].as<std::string>();
  j.error = r[10].as<std::string>();
  j.created_at_us = r[11].as<std::int64_t>();
  j.started_at_us = r[12].as<std::int64_t>();
  j.finished_at_us = r[13].as<std::int64_t>();
  j.live = json_columns::decode_object(r[14].as<std::string>());
  return j;
}

void load_results(pqxx::transaction_base& tx, std::vector<JobRecord>& jobs) {
  if (jobs.empty()) return;
  std::vector<std::string> ids;
  ids.reserve(jobs.size());
  for (const auto& j : jobs) ids.push_back(j.job_id);
  const auto rows = tx.exec_prepared(stmt::kResultSelect, text_array(ids));
  auto nullable = [](const pqxx::field& f) {
    return f.is_null() ? forecast::kNaN : f.as<double>();
  };
  std::unordered_map<std::string, JobRecord*> by_id;
  for (auto& j : jobs) by_id.emplace(j.job_id, &j);
  for (const auto& r : rows) {  // ordered by job, then idx
    const auto it = by_id.find(r[0].as<std::string>());
    if (it == by_id.end()) continue;
    ProductResult p;
    p.product = r[1].as<std::string>();
    p.status = r[2].as<std::string>();
    p.error = r[3].as<std::string>();
    p.model = r[4].as<std::string>();
    p.fallback = r[5].as<bool>();
    p.fallback_reason = r[6].as<std::string>();
    p.metrics.mae = nullable(r[7]);
    p.metrics.rmse = nullable(r[8]);
    p.metrics.mape = nullable(r[9]);
    p.metrics.smape = nullable(r[10]);
    p.metrics.mase = nullable(r[11]);
    p.fit_ms = nullable(r[12]);
    it->second->results.push_back(std::move(p));
  }
}

}  // namespace levain::training::pg
