#pragma once
/// Internal to the SQLite store: the owned connection, its mutex and the cached statements,
/// shared by the source files that implement each area (sales, jobs, models).

#include <SQLiteCpp/SQLiteCpp.h>

#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "training/store/sqlite/store.hpp"

namespace levain::training {

/// The jobs table's columns in the order every job statement binds and reads them.
inline constexpr std::string_view kJobColumns =
    "job_id, tenant, status, progress, seq, total_products, products_completed, horizon_days, "
    "requested_products, current_step, error, created_at, started_at, finished_at, live";
inline constexpr std::string_view kJobValues = "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?";

/// Borrows a cached statement for one use. Resetting on both ends matters: a SELECT left mid-way
/// would pin a read transaction, and reset() would rethrow an earlier step's error.
class StatementUse {
 public:
  explicit StatementUse(SQLite::Statement& s) : s_(s) {
    s_.tryReset();
    s_.clearBindings();
  }
  ~StatementUse() { s_.tryReset(); }
  StatementUse(const StatementUse&) = delete;
  StatementUse& operator=(const StatementUse&) = delete;
  SQLite::Statement* operator->() { return &s_; }
  SQLite::Statement& operator*() { return s_; }

 private:
  SQLite::Statement& s_;
};

/// Runs a query selecting kJobColumns and loads each job's results with `results`.
std::vector<JobRecord> read_jobs(SQLite::Statement& query, SQLite::Statement& results);

struct SqliteStore::Impl {
  explicit Impl(const std::string& path);

  /// Runs `f` under the connection mutex; SQLite errors leave as StoreError naming the file and
  /// the operation (the caller answers 500), other exceptions pass unchanged.
  template <class F>
  decltype(auto) locked(const char* op, F&& f) {
    std::lock_guard lock(mu);
    try {
      return f();
    } catch (const SQLite::Exception& e) {
      throw StoreError("sqlite store '" + path + "': " + op + ": " + e.what());
    }
  }

  std::string path;
  SQLite::Database db;
  int schema_version;  // set before the statements below, which need the tables to exist
  std::mutex mu;

  SQLite::Statement ping;
  SQLite::Statement sales_insert;
  SQLite::Statement sales_update;
  SQLite::Statement sales_products;
  SQLite::Statement sales_series;
  SQLite::Statement sales_window;
  SQLite::Statement sales_exists;
  SQLite::Statement sales_per_product;
  SQLite::Statement upload_record;
  SQLite::Statement upload_get;
  SQLite::Statement upload_quality;
  SQLite::Statement job_insert;
  SQLite::Statement job_upsert;
  SQLite::Statement job_get;
  SQLite::Statement job_list;
  SQLite::Statement job_unfinished;
  SQLite::Statement job_active;
  SQLite::Statement job_tenant;
  SQLite::Statement job_request_cancel;
  SQLite::Statement job_cancel_requested;
  SQLite::Statement job_renew;
  SQLite::Statement job_expired;
  SQLite::Statement job_claim;
  SQLite::Statement result_next_idx;
  SQLite::Statement result_trim;
  SQLite::Statement result_insert;
  SQLite::Statement result_select;
  SQLite::Statement holiday_clear;
  SQLite::Statement holiday_insert;
  SQLite::Statement holiday_list;
  SQLite::Statement model_upsert;
  SQLite::Statement model_get;
  SQLite::Statement model_list;
  SQLite::Statement version_next;
  SQLite::Statement version_insert;
  SQLite::Statement version_trim;
  SQLite::Statement version_get;
  SQLite::Statement version_list;
  SQLite::Statement flog_upsert;
  SQLite::Statement flog_trim;
  SQLite::Statement flog_met;
  SQLite::Statement product_clear;
  SQLite::Statement product_insert;
  SQLite::Statement product_list;
  SQLite::Statement share_set;
  SQLite::Statement share_get;
};

}  // namespace levain::training
