#pragma once
/// The training service's persistent state behind one small interface, so the embedded SQLite
/// store and a shared PostgreSQL store (later) are interchangeable. Every method is thread-safe.

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

/// A product's stored forecast, written when its model is trained.
struct StoredModel {
  std::string tenant_id;
  std::string product;
  std::string job_id;
  forecast::FitReport report;  // model kind, metrics, forecast points
  std::int64_t trained_at_us = 0;
};

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
  /// it is called under the job's publish lock, before the event goes to the bus).
  virtual void save_job(const JobRecord& job) = 0;
  virtual std::optional<JobRecord> get_job(const std::string& tenant,
                                           const std::string& job_id) = 0;
  /// Newest first, at most `limit`.
  virtual std::vector<JobRecord> list_jobs(const std::string& tenant, std::size_t limit) = 0;
  /// Jobs still pending or running (for restart recovery), oldest first.
  virtual std::vector<JobRecord> unfinished_jobs() = 0;

  // --- models ------------------------------------------------------------------------------
  virtual void save_model(const StoredModel& model) = 0;
  virtual std::optional<StoredModel> get_model(const std::string& tenant,
                                               const std::string& product) = 0;
  virtual std::vector<StoredModel> list_models(const std::string& tenant) = 0;

  /// Cheap liveness probe for /readyz.
  virtual bool healthy() = 0;
};

}  // namespace levain::training
