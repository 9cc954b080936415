#pragma once
/// The shared Store for several replicas: PostgreSQL through libpqxx, with the same semantics as
/// SqliteStore (the same tests run against both). The schema is created or migrated at start;
/// a bounded connection pool serves concurrent callers; a connection the server dropped is
/// replaced on the next call, so the store recovers by itself once the server is back.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "training/store/store.hpp"

namespace levain::training {

struct PostgresOptions {
  std::size_t max_connections = 8;
  /// How long a caller waits for a free connection when all are busy.
  std::chrono::milliseconds acquire_timeout{10'000};
  /// libpq's connect_timeout, unless the URL sets one.
  std::chrono::seconds connect_timeout{5};
  /// Statement timeout of every session (a hung server must not hang a request forever).
  std::chrono::milliseconds statement_timeout{30'000};
  /// Deadline of the healthy() probe.
  std::chrono::milliseconds health_timeout{2'000};
};

class PostgresStore final : public Store {
 public:
  /// Connects to `url` (postgresql://user[:password]@host[:port]/db[?param=value...]) and brings
  /// the schema up to date. Throws std::runtime_error naming host and database (never the
  /// password) when the server cannot be reached or its schema is newer than this build.
  explicit PostgresStore(const std::string& url, PostgresOptions options = {});
  ~PostgresStore() override;
  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;

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

  /// `SELECT 1` on a connection of its own (never queued behind the pool) within
  /// health_timeout; false while the server is unreachable.
  bool healthy() override;
  std::uint64_t errors() const override;

  int schema_version() const;
  /// Connections open now (idle or in use), at most max_connections.
  std::size_t open_connections() const;

 private:
  struct Impl;  // defined in pg_impl.hpp, shared by the per-area source files
  std::unique_ptr<Impl> impl_;
};

}  // namespace levain::training
