#pragma once
/// Internal to the PostgreSQL store: the pool, the health connection, the prepared statement
/// names and the helpers the per-area source files share.

#include <mutex>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <vector>

#include "training/store/postgres/pool.hpp"
#include "training/store/postgres/store.hpp"

namespace levain::training {

namespace pg {

/// The jobs table's columns in the order every job statement binds and reads them.
inline constexpr std::string_view kJobColumns =
    "job_id, tenant, status, progress, seq, total_products, products_completed, horizon_days, "
    "requested_products, current_step, error, created_at, started_at, finished_at, live";

/// Names of the prepared statements (their SQL is in pg_statements.cpp).
namespace stmt {
inline constexpr const char* kSalesUpsert = "sales_upsert";
inline constexpr const char* kSalesProducts = "sales_products";
inline constexpr const char* kSalesSeries = "sales_series";
inline constexpr const char* kSalesWindow = "sales_window";
inline constexpr const char* kSalesExists = "sales_exists";
inline constexpr const char* kSalesPerProduct = "sales_per_product";
inline constexpr const char* kUploadRecord = "upload_record";
inline constexpr const char* kUploadGet = "upload_get";
inline constexpr const char* kUploadQuality = "upload_quality";
inline constexpr const char* kJobInsert = "job_insert";
inline constexpr const char* kJobUpsert = "job_upsert";
inline constexpr const char* kJobTenant = "job_tenant";
inline constexpr const char* kJobGet = "job_get";
inline constexpr const char* kJobList = "job_list";
inline constexpr const char* kJobUnfinished = "job_unfinished";
inline constexpr const char* kJobActive = "job_active";
inline constexpr const char* kJobExpired = "job_expired";
inline constexpr const char* kJobRequestCancel = "job_request_cancel";
inline constexpr const char* kJobCancelRequested = "job_cancel_requested";
inline constexpr const char* kJobRenew = "job_renew";
inline constexpr const char* kJobClaim = "job_claim";
inline constexpr const char* kResultNextIdx = "result_next_idx";
inline constexpr const char* kResultTrim = "result_trim";
inline constexpr const char* kResultInsert = "result_insert";
inline constexpr const char* kResultSelect = "result_select";
inline constexpr const char* kHolidayClear = "holiday_clear";
inline constexpr const char* kHolidayInsert = "holiday_insert";
inline constexpr const char* kHolidayList = "holiday_list";
inline constexpr const char* kModelUpsert = "model_upsert";
inline constexpr const char* kModelGet = "model_get";
inline constexpr const char* kModelList = "model_list";
inline constexpr const char* kVersionLock = "version_lock";
inline constexpr const char* kVersionNext = "version_next";
inline constexpr const char* kVersionInsert = "version_insert";
inline constexpr const char* kVersionTrim = "version_trim";
inline constexpr const char* kVersionList = "version_list";
inline constexpr const char* kVersionRestore = "version_restore";
inline constexpr const char* kForecastLog = "forecast_log";
inline constexpr const char* kForecastLogTrim = "forecast_log_trim";
inline constexpr const char* kForecastMet = "forecast_met";
inline constexpr const char* kUsageActive = "usage_active";
inline constexpr const char* kUsageStarts = "usage_starts";
inline constexpr const char* kUsageUploads = "usage_uploads";
inline constexpr const char* kUsageRecord = "usage_record";
inline constexpr const char* kUsageTrim = "usage_trim";
inline constexpr const char* kProductClear = "product_clear";
inline constexpr const char* kProductInsert = "product_insert";
inline constexpr const char* kProductList = "product_list";
inline constexpr const char* kShareSet = "share_set";
inline constexpr const char* kShareGet = "share_get";
}  // namespace stmt

/// PostgreSQL array literals for array parameters. Text elements are always quoted, so any
/// string (commas, braces, quotes, backslashes, "NULL") round-trips; doubles keep every digit.
std::string text_array(const std::vector<std::string>& items);
std::string int_array(const std::vector<std::int64_t>& items);
std::string double_array(const std::vector<double>& items);

/// Registers every statement the store uses on a new connection (prepared lazily on first use).
void prepare_statements(pqxx::connection& conn);

/// Reads a row selected with kJobColumns (results are loaded separately).
JobRecord read_job(const pqxx::row& row);
/// Fills the results of `jobs` with one query.
void load_results(pqxx::transaction_base& tx, std::vector<JobRecord>& jobs);

/// Unix microseconds by this machine's clock.
std::int64_t now_us();

}  // namespace pg

struct PostgresStore::Impl {
  Impl(const std::string& url, const PostgresOptions& options);

  PostgresOptions options;
  std::string where;     // host:port/db for messages
  std::string conninfo;  // the URL with our defaults added
  std::string health_conninfo;
  PgPool pool;
  int schema_version = 0;

  std::mutex health_mu;
  std::unique_ptr<pqxx::connection> health_conn;
};

}  // namespace levain::training
