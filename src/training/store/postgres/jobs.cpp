// PostgresStore: jobs and their per-product results.
#include <limits>
#include <stdexcept>

#include "training/store/json_columns.hpp"
#include "training/store/postgres/impl.hpp"

namespace levain::training {
namespace {

pqxx::result exec_job(pqxx::transaction_base& tx, const char* statement, const JobRecord& j) {
  return tx.exec_prepared(
      statement, j.job_id, j.tenant_id, std::string(to_string(j.status)), j.progress,
      static_cast<std::int64_t>(j.seq), j.total_products, j.products_completed, j.horizon_days,
      json_columns::encode_strings(j.requested_products), j.current_step, j.error, j.created_at_us,
      j.started_at_us, j.finished_at_us, json_columns::encode_object(j.live));
}

void insert_results(pqxx::transaction_base& tx, const JobRecord& job, std::size_t from) {
  for (std::size_t i = from; i < job.results.size(); ++i) {
    const ProductResult& r = job.results[i];
    tx.exec_prepared(pg::stmt::kResultInsert, job.job_id, static_cast<std::int64_t>(i), r.product,
                     r.status, r.error, r.model, r.fallback, r.fallback_reason, r.metrics.mae,
                     r.metrics.rmse, r.metrics.mape, r.metrics.smape, r.metrics.mase,
                     r.fit_ms);  // NaN is a float8 value in PostgreSQL
  }
}

// One snapshot for the job rows and their results, so a reader never sees a row without the
// results it counts.
using ReadTx = pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>;

template <class... Args>
std::vector<JobRecord> read_jobs(pqxx::connection& c, const char* statement, Args&&... args) {
  ReadTx tx(c);
  std::vector<JobRecord> jobs;
  for (const auto& row : tx.exec_prepared(statement, std::forward<Args>(args)...)) {
    jobs.push_back(pg::read_job(row));
  }
  pg::load_results(tx, jobs);
  tx.commit();
  return jobs;
}

}  // namespace

void PostgresStore::create_job(const JobRecord& job) {
  impl_->pool.run("create_job", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    exec_job(tx, pg::stmt::kJobInsert, job);
    insert_results(tx, job, 0);
    tx.commit();
  });
}

void PostgresStore::save_job(const JobRecord& job) {
  impl_->pool.run("save_job", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    if (exec_job(tx, pg::stmt::kJobUpsert, job).affected_rows() == 0) {
      // Either another tenant's id, or a job that already ended (final: nothing to write).
      const auto owner = tx.exec_prepared(pg::stmt::kJobTenant, job.job_id);
      if (!owner.empty() && owner[0][0].as<std::string>() != job.tenant_id) {
        throw std::invalid_argument("save_job: job " + job.job_id +
                                    " belongs to another tenant than " + job.tenant_id);
      }
      return;
    }
    auto stored = tx.exec_prepared1(pg::stmt::kResultNextIdx, job.job_id)[0].as<std::size_t>();
    if (stored > job.results.size()) {
      tx.exec_prepared(pg::stmt::kResultTrim, job.job_id,
                       static_cast<std::int64_t>(job.results.size()));
      stored = job.results.size();
    }
    insert_results(tx, job, stored);
    tx.commit();
  });
}

std::optional<JobRecord> PostgresStore::get_job(const std::string& tenant,
                                                const std::string& job_id) {
  return impl_->pool.run("get_job", [&](pqxx::connection& c) -> std::optional<JobRecord> {
    auto jobs = read_jobs(c, pg::stmt::kJobGet, tenant, job_id);
    if (jobs.empty()) return std::nullopt;
    return std::move(jobs.front());
  });
}

std::vector<JobRecord> PostgresStore::list_jobs(const std::string& tenant, std::size_t limit) {
  constexpr auto kMax = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
  return impl_->pool.run("list_jobs", [&](pqxx::connection& c) {
    return read_jobs(c, pg::stmt::kJobList, tenant,
                     static_cast<std::int64_t>(std::min(limit, kMax)));
  });
}

std::vector<JobRecord> PostgresStore::unfinished_jobs() {
  return impl_->pool.run("unfinished_jobs", [&](pqxx::connection& c) {
    return read_jobs(c, pg::stmt::kJobUnfinished);
  });
}

std::optional<std::pair<std::string, JobStatus>> PostgresStore::active_job(
    const std::string& tenant) {
  return impl_->pool.run(
      "active_job", [&](pqxx::connection& c) -> std::optional<std::pair<std::string, JobStatus>> {
        pqxx::nontransaction tx(c);
        for (const auto& r : tx.exec_prepared(pg::stmt::kJobActive, tenant)) {
          return std::pair{r[0].as<std::string>(),
                           parse_job_status(r[1].as<std::string>()).value_or(JobStatus::running)};
        }
        return std::nullopt;
      });
}

std::vector<JobRecord> PostgresStore::expired_jobs(std::int64_t now) {
  return impl_->pool.run("expired_jobs", [&](pqxx::connection& c) {
    return read_jobs(c, pg::stmt::kJobExpired, now, static_cast<std::int64_t>(kMaxExpiredJobs));
  });
}

}  // namespace levain::training
