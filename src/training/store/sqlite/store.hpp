#pragma once
/// The embedded Store: one SQLite file in WAL mode, one connection owned by the object behind a
/// mutex, prepared statements reused on the hot paths (save_job per event, upsert_sales per row).

#include <memory>
#include <string>

#include "training/store/store.hpp"

namespace levain::training {

class SqliteStore final : public Store {
 public:
  /// Opens (creating if needed) the database at `path` and brings its schema up to date.
  /// Throws std::runtime_error naming the path when its directory is missing, the file is not a
  /// database, or its schema is newer than this build understands.
  explicit SqliteStore(const std::string& path);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  /// Duplicate keys inside one call: the last row wins and the key counts once. `inserted` counts
  /// keys new to the store, `updated` keys that existed. Throws std::invalid_argument (and writes
  /// nothing) for a row whose regressors do not match `regressor_names` or whose quantity is not
  /// a finite number.
  UpsertResult upsert_sales(const std::string& tenant,
                            const std::vector<std::string>& regressor_names,
                            const std::vector<forecast::Observation>& rows,
                            const UploadRefusals& refused = {}) override;
  UploadQuality last_upload_quality(const std::string& tenant) override;
  std::vector<std::string> list_products(const std::string& tenant) override;
  std::optional<forecast::Series> load_series(const std::string& tenant,
                                              const std::string& product) override;
  std::optional<SalesWindow> load_sales(const std::string& tenant, const std::string& product,
                                        const SalesRange& range, std::size_t max_days) override;
  SalesSummary sales_summary(const std::string& tenant, std::size_t max_products) override;

  void create_job(const JobRecord& job) override;
  /// Writes the job row and only the results not stored yet: results only grow, in order, so
  /// earlier rows never change (a shorter list trims the stored one).
  void save_job(const JobRecord& job) override;
  std::optional<JobRecord> get_job(const std::string& tenant, const std::string& job_id) override;
  std::vector<JobRecord> list_jobs(const std::string& tenant, std::size_t limit) override;
  std::vector<JobRecord> unfinished_jobs() override;
  std::optional<std::pair<std::string, JobStatus>> active_job(const std::string& tenant) override;

  bool request_cancel(const std::string& tenant, const std::string& job_id) override;
  bool cancel_requested(const std::string& job_id) override;
  void renew_leases(const std::string& owner, const std::vector<std::string>& job_ids,
                    std::int64_t until_us) override;
  std::vector<JobRecord> expired_jobs(std::int64_t now_us) override;
  bool claim_job(const std::string& job_id, const std::string& owner,
                 std::int64_t until_us) override;

  void replace_holidays(const std::string& tenant, const std::vector<HolidayRow>& rows) override;
  std::vector<HolidayRow> load_holidays(const std::string& tenant) override;

  void replace_webhooks(const std::string& tenant, const std::vector<Webhook>& hooks) override;
  std::vector<Webhook> load_webhooks(const std::string& tenant) override;
  std::size_t enqueue_deliveries(const std::string& tenant, const std::string& job_id,
                                 const std::string& event, const std::string& body,
                                 std::int64_t now_us) override;
  std::vector<WebhookDelivery> claim_deliveries(const std::string& owner, std::int64_t now_us,
                                                std::int64_t until_us, std::size_t limit) override;
  void finish_delivery(const WebhookDelivery& delivery, const std::string& owner) override;
  std::vector<WebhookDelivery> list_deliveries(const std::string& tenant,
                                               std::size_t limit) override;
  int save_model(const StoredModel& model) override;
  std::optional<StoredModel> get_model(const std::string& tenant,
                                       const std::string& product) override;
  /// Sorted by product.
  std::vector<StoredModel> list_models(const std::string& tenant) override;
  std::vector<StoredModel> list_model_versions(const std::string& tenant,
                                               const std::string& product) override;
  bool rollback_model(const std::string& tenant, const std::string& product, int version) override;
  std::vector<MetForecast> met_forecasts(const std::string& tenant, forecast::Date from,
                                         std::size_t limit) override;

  TenantUsage tenant_usage(const std::string& tenant, std::int64_t jobs_since,
                           std::int64_t uploads_since) override;
  void record_upload_bytes(const std::string& tenant, std::int64_t at, std::int64_t bytes) override;

  void replace_products(const std::string& tenant,
                        const std::vector<ProductEconomics>& rows) override;
  std::vector<ProductEconomics> load_products(const std::string& tenant) override;
  void set_unit_cost_share(const std::string& tenant, double share) override;
  double unit_cost_share(const std::string& tenant) override;

  bool healthy() override;

  /// The schema version of the open file (for diagnostics and migration tests).
  int schema_version() const;

 private:
  struct Impl;  // defined in sqlite_impl.hpp, shared by the per-area source files
  /// Logs the forecast of the model now served (forecast_log.hpp), inside the caller's
  /// transaction and lock.
  void log_forecast(const std::string& tenant, const std::string& product,
                    const forecast::FitReport& report, int version);
  std::unique_ptr<Impl> impl_;
};

}  // namespace levain::training
