#pragma once
/// The training service's persistent state behind one small interface, so the embedded SQLite
/// store and the shared PostgreSQL store are interchangeable. Every method is thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "forecast/types.hpp"
#include "training/jobs/job.hpp"

namespace levain::training {

struct UpsertResult {
  std::size_t inserted = 0;
  std::size_t updated = 0;
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
};

/// expired_jobs returns at most this many jobs per call; a sweep takes the rest on its next turn.
inline constexpr std::size_t kMaxExpiredJobs = 1000;

class Store {
 public:
  virtual ~Store() = default;

  // --- sales -------------------------------------------------------------------------------
  /// Inserts or replaces rows keyed by (tenant, date, product), all in one transaction: either
  /// every row lands or none does.
  virtual UpsertResult upsert_sales(const std::string& tenant,
                                    const std::vector<std::string>& regressor_names,
                                    const std::vector<forecast::Observation>& rows) = 0;
  /// Product names with at least one row, sorted.
  virtual std::vector<std::string> list_products(const std::string& tenant) = 0;
  /// One product's history as a daily series (gaps are NaN); nullopt when it has no rows.
  virtual std::optional<forecast::Series> load_series(const std::string& tenant,
                                                      const std::string& product) = 0;

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

  // --- models ------------------------------------------------------------------------------
  virtual void save_model(const StoredModel& model) = 0;
  virtual std::optional<StoredModel> get_model(const std::string& tenant,
                                               const std::string& product) = 0;
  virtual std::vector<StoredModel> list_models(const std::string& tenant) = 0;

  /// Cheap liveness probe for /readyz.
  virtual bool healthy() = 0;
};

}  // namespace levain::training
