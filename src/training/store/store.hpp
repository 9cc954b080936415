#pragma once
/// The training service's persistent state behind one small interface, so the embedded SQLite
/// store and the shared PostgreSQL store are interchangeable. Every method is thread-safe.

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "forecast/newsvendor.hpp"
#include "forecast/types.hpp"
#include "training/jobs/job.hpp"

namespace levain::training {

/// The store could not do what was asked (the database is down, restarting, or refused the
/// statement). The message names the store and the operation, never a password. Typed so a job
/// can end with a reason a person can act on rather than "internal error".
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct UpsertResult {
  std::size_t inserted = 0;
  std::size_t updated = 0;
};

/// Rows an upload's parser refused for their quantity, which the store keeps with the upload.
struct UploadRefusals {
  std::size_t negative = 0;  // a negative quantity
  std::size_t unknown = 0;   // an empty or unreadable quantity
};

/// What the tenant's last upload refused or replaced (the job's data report shows it).
struct UploadQuality {
  std::size_t negative = 0;
  std::size_t unknown = 0;
  std::size_t replaced = 0;  // rows that replaced a stored day or an earlier row of the upload
};

/// One named day in a tenant's holiday calendar.
struct HolidayRow {
  forecast::Date date;
  std::string name;
};

/// A product's stored forecast, written when its model is trained.
struct StoredModel {
  std::string tenant_id;
  std::string product;
  std::string job_id;
  forecast::FitReport report;  // model kind, metrics, forecast points
  std::int64_t trained_at_us = 0;
  int version = 0;  // 1, 2, ... per product, numbered by save_model
};

/// Versions of a product's model kept for rollback (newest first in listings).
inline constexpr int kModelVersionsKept = 5;

/// What a product costs and sells for, for the bake plan (PUT …/products).
struct ProductEconomics {
  std::string product;
  forecast::Economics economics;
};

/// A tenant's default for products without economics: unit cost as a share of the price.
inline constexpr double kDefaultUnitCostShare = 0.35;

/// A forecast the log kept (every served model's first forecast days, docs/forecasting.md
/// "Forecasts checked against what was sold") whose day has sales now.
struct MetForecast {
  std::string product;
  forecast::Date date;
  int lead = 0;     // days ahead: 1 for the day after the model's last sales day
  int version = 0;  // of the model that made it
  double yhat = 0;
  double lower = 0;  // 80% interval
  double upper = 0;
  double sold = 0;
  bool sold_out = false;
};

/// What a tenant's quotas are measured on, read from the store every replica shares
/// (training/api/quota.hpp): its jobs still pending or running, when its recent jobs were
/// created and what its recent uploads weighed, oldest first (Unix microseconds).
struct TenantUsage {
  std::size_t active_jobs = 0;
  std::vector<std::int64_t> job_starts;
  std::vector<std::pair<std::int64_t, std::int64_t>> uploads;  // (at, bytes)
};
/// Each list holds at most this many entries (a quota's value is far below it).
inline constexpr std::size_t kMaxUsageEntries = 100'000;
/// Upload sizes older than this are dropped: the longest quota window is a day.
inline constexpr std::int64_t kUsageKeepUs = 2LL * 24 * 3600 * 1'000'000;

/// One stored day of a product's sales.
struct SalesDay {
  forecast::Date date;
  double quantity = 0;
};

/// Days `from`..`to` (both included); the defaults cover every date the CSV accepts.
struct SalesRange {
  forecast::Date from = std::chrono::sys_days{std::chrono::year{1} / 1 / 1};
  forecast::Date to = std::chrono::sys_days{std::chrono::year{9999} / 12 / 31};
};

/// Part of one product's stored history: ascending by date, only the days that have a row.
struct SalesWindow {
  std::vector<SalesDay> days;
  bool truncated = false;  // the range held more days than asked for: the oldest were left out
};

/// What the store holds for one product.
struct ProductSales {
  std::string product;
  forecast::Date first;
  forecast::Date last;
  std::size_t rows = 0;
};

/// What the store holds for a tenant, over all its products.
struct SalesSummary {
  std::vector<ProductSales> products;  // sorted by name; at most the number asked for
  std::size_t product_count = 0;       // all products, also those left out of `products`
  std::size_t rows = 0;
  std::optional<forecast::Date> first;  // unset when the tenant has no rows
  std::optional<forecast::Date> last;
  std::int64_t last_upload_us = 0;   // Unix microseconds; 0 when no upload was recorded
  std::size_t last_upload_rows = 0;  // distinct (product, date) rows that upload wrote
};

/// A tenant's webhook (docs/webhooks.md): the URL hears the job endings listed in `events`.
struct Webhook {
  std::string url;
  std::vector<std::string> events;  // "completed", "failed"
  std::string secret;               // signs each POST; never shown back
};

/// One POST of one job ending to one URL, with every attempt kept, so retries survive a restart
/// and run on one replica at a time (the one holding its lease).
struct WebhookDelivery {
  std::string id;
  std::string tenant;
  std::string job_id;
  std::string event;  // "completed" or "failed"
  std::string url;
  std::string secret;              // as the webhook had it when the job ended
  std::string body;                // the final event's JSON, as the watchers got it
  std::string status = "pending";  // pending, delivered, failed (gave up)
  int attempts = 0;
  std::int64_t next_at_us = 0;
  std::int64_t created_at_us = 0;
  std::int64_t last_attempt_us = 0;
  int last_status = 0;  // HTTP status of the last attempt, 0 when none came back
  std::string last_error;
};

/// expired_jobs returns at most this many jobs per call; a sweep takes the rest on its next turn.
inline constexpr std::size_t kMaxExpiredJobs = 1000;

class Store {
 public:
  virtual ~Store() = default;

  // --- sales -------------------------------------------------------------------------------
  /// Inserts or replaces rows keyed by (tenant, date, product), all in one transaction: either
  /// every row lands or none does. A call that writes rows also records the time of the upload.
  /// `refused` is recorded with the upload (same default in every store: defaults of virtual
  /// functions bind statically).
  virtual UpsertResult upsert_sales(const std::string& tenant,
                                    const std::vector<std::string>& regressor_names,
                                    const std::vector<forecast::Observation>& rows,
                                    const UploadRefusals& refused = {}) = 0;
  /// The last upload's refusals and replacements; zeros when none was recorded.
  virtual UploadQuality last_upload_quality(const std::string& tenant) = 0;
  /// Product names with at least one row, sorted.
  virtual std::vector<std::string> list_products(const std::string& tenant) = 0;
  /// One product's history as a daily series (gaps are NaN); nullopt when it has no rows.
  virtual std::optional<forecast::Series> load_series(const std::string& tenant,
                                                      const std::string& product) = 0;
  /// The product's stored days within `range`, the newest `max_days` of them when there are
  /// more; nullopt when the tenant has no row at all for the product.
  virtual std::optional<SalesWindow> load_sales(const std::string& tenant,
                                                const std::string& product, const SalesRange& range,
                                                std::size_t max_days) = 0;
  /// Per product (the first `max_products` by name) and overall: first and last date and row
  /// count, and the time of the last upload_sales call that wrote rows.
  virtual SalesSummary sales_summary(const std::string& tenant, std::size_t max_products) = 0;

  // --- jobs --------------------------------------------------------------------------------
  virtual void create_job(const JobRecord& job) = 0;
  /// Replaces the job's row and its product results with `job` (the caller owns the ordering:
  /// it is called under the job's publish lock, before the event goes to the bus). A job that
  /// already ended is final: saving over it is ignored, so a replica that lost a job cannot
  /// revive it. A job id that belongs to another tenant is refused (std::invalid_argument).
  virtual void save_job(const JobRecord& job) = 0;
  virtual std::optional<JobRecord> get_job(const std::string& tenant,
                                           const std::string& job_id) = 0;
  /// Newest first, at most `limit`.
  virtual std::vector<JobRecord> list_jobs(const std::string& tenant, std::size_t limit) = 0;
  /// Jobs still pending or running (for restart recovery), oldest first.
  virtual std::vector<JobRecord> unfinished_jobs() = 0;
  /// The id and status of the tenant's oldest job still pending or running; nullopt when none.
  virtual std::optional<std::pair<std::string, JobStatus>> active_job(
      const std::string& tenant) = 0;

  // --- job ownership across replicas (DESIGN.md §2) ----------------------------------------
  // The row is the truth every replica serves; the replica running a job holds a lease on it
  // (`owner`, `lease_until_us`, Unix microseconds) and renews it while alive. A job whose lease
  // ran out belongs to nobody and any replica may claim it. save_job never touches these fields.

  /// Sets the job's persistent cancel-requested flag, which its owner polls. False when the
  /// tenant has no such job or it already ended.
  virtual bool request_cancel(const std::string& tenant, const std::string& job_id) = 0;
  /// Whether a cancel was requested for the job (false for an unknown job).
  virtual bool cancel_requested(const std::string& job_id) = 0;
  /// Extends to `until_us` the leases `owner` still holds among `job_ids` (pending or running
  /// jobs only; a job another replica has claimed meanwhile is left alone).
  virtual void renew_leases(const std::string& owner, const std::vector<std::string>& job_ids,
                            std::int64_t until_us) = 0;
  /// Pending or running jobs whose lease ended before `now_us`, oldest first (at most
  /// kMaxExpiredJobs per call).
  virtual std::vector<JobRecord> expired_jobs(std::int64_t now_us) = 0;
  /// Atomically makes `owner` the holder of a pending or running job until `until_us`, when the
  /// job's lease has expired (by this machine's clock) or `owner` already holds it. False
  /// otherwise: another replica holds it, it ended, or it does not exist.
  virtual bool claim_job(const std::string& job_id, const std::string& owner,
                         std::int64_t until_us) = 0;

  // --- holidays ----------------------------------------------------------------------------
  /// Replaces the tenant's whole calendar with `rows` in one transaction (an empty list clears
  /// it). Duplicate (date, name) pairs collapse to one.
  virtual void replace_holidays(const std::string& tenant, const std::vector<HolidayRow>& rows) = 0;
  /// The tenant's calendar sorted by date, then name.
  virtual std::vector<HolidayRow> load_holidays(const std::string& tenant) = 0;

  // --- webhooks ----------------------------------------------------------------------------
  /// Replaces the tenant's webhooks (an empty list removes them all).
  virtual void replace_webhooks(const std::string& tenant, const std::vector<Webhook>& hooks) = 0;
  virtual std::vector<Webhook> load_webhooks(const std::string& tenant) = 0;
  /// One pending delivery (due now) per webhook of the tenant that listens to `event`, in one
  /// transaction; returns how many.
  virtual std::size_t enqueue_deliveries(const std::string& tenant, const std::string& job_id,
                                         const std::string& event, const std::string& body,
                                         std::int64_t now_us) = 0;
  /// Leases to `owner` until `until_us` at most `limit` pending deliveries due at `now_us` whose
  /// lease has ended, soonest first; no two replicas get the same one.
  virtual std::vector<WebhookDelivery> claim_deliveries(const std::string& owner,
                                                        std::int64_t now_us, std::int64_t until_us,
                                                        std::size_t limit) = 0;
  /// Records an attempt's outcome (status, attempts, next_at, last_*) and ends the lease, when
  /// `owner` still holds it (else the attempt is another replica's to record, and is ignored).
  virtual void finish_delivery(const WebhookDelivery& delivery, const std::string& owner) = 0;
  /// Newest first, at most `limit`.
  virtual std::vector<WebhookDelivery> list_deliveries(const std::string& tenant,
                                                       std::size_t limit) = 0;

  // --- models ------------------------------------------------------------------------------
  /// Stores `model` as the product's next version and makes it the one served; keeps the
  /// newest kModelVersionsKept versions (and the one served, when a rollback chose an older
  /// one). Returns the version number it got (model.version is ignored).
  virtual int save_model(const StoredModel& model) = 0;
  /// The version served for the product.
  virtual std::optional<StoredModel> get_model(const std::string& tenant,
                                               const std::string& product) = 0;
  /// The versions served, one per product, sorted by product.
  virtual std::vector<StoredModel> list_models(const std::string& tenant) = 0;
  /// Every kept version of the product, newest first.
  virtual std::vector<StoredModel> list_model_versions(const std::string& tenant,
                                                       const std::string& product) = 0;
  /// Serves kept version `version` of the product from now on; false when it is not kept.
  /// Both this and save_model log the served model's forecast (forecast_log.hpp).
  virtual bool rollback_model(const std::string& tenant, const std::string& product,
                              int version) = 0;
  /// Logged forecasts for days from `from` on that have sales, by product, day and lead; at
  /// most `limit`.
  virtual std::vector<MetForecast> met_forecasts(const std::string& tenant, forecast::Date from,
                                                 std::size_t limit) = 0;

  // --- quotas (training/api/quota.hpp) -----------------------------------------------------
  /// Jobs created from `jobs_since` on and uploads from `uploads_since` on, with the count of
  /// the tenant's unfinished jobs.
  virtual TenantUsage tenant_usage(const std::string& tenant, std::int64_t jobs_since,
                                   std::int64_t uploads_since) = 0;
  /// Records an accepted upload's size; entries older than two days are dropped.
  virtual void record_upload_bytes(const std::string& tenant, std::int64_t at,
                                   std::int64_t bytes) = 0;

  // --- products' economics (the bake plan) -------------------------------------------------
  /// Replaces the tenant's product rows in one transaction (an empty list clears them).
  virtual void replace_products(const std::string& tenant,
                                const std::vector<ProductEconomics>& rows) = 0;
  /// Sorted by product.
  virtual std::vector<ProductEconomics> load_products(const std::string& tenant) = 0;
  virtual void set_unit_cost_share(const std::string& tenant, double share) = 0;
  /// kDefaultUnitCostShare when the tenant never set one.
  virtual double unit_cost_share(const std::string& tenant) = 0;

  /// Cheap liveness probe for /readyz.
  virtual bool healthy() = 0;
  /// Operations that failed with a database error so far (`levain_store_errors_total`): every
  /// StoreError of PostgreSQL (connect, a busy pool, a statement). SQLite's errors come from
  /// its library at many places and are not counted here (0).
  virtual std::uint64_t errors() const { return 0; }
};

}  // namespace levain::training
