// SqliteStore: jobs and their per-product results.
#include <limits>
#include <stdexcept>

#include "training/store/json_columns.hpp"
#include "training/store/sqlite/impl.hpp"

namespace levain::training {
namespace {

void bind_job(SQLite::Statement& s, const JobRecord& j) {
  s.bind(1, j.job_id);
  s.bind(2, j.tenant_id);
  s.bind(3, std::string(to_string(j.status)));
  s.bind(4, j.progress);
  s.bind(5, static_cast<std::int64_t>(j.seq));
  s.bind(6, j.total_products);
  s.bind(7, j.products_completed);
  s.bind(8, j.horizon_days);
  s.bind(9, json_columns::encode_strings(j.requested_products));
  s.bind(10, j.current_step);
  s.bind(11, j.error);
  s.bind(12, j.created_at_us);
  s.bind(13, j.started_at_us);
  s.bind(14, j.finished_at_us);
  s.bind(15, json_columns::encode_object(j.live));
}

// Reads one row selected with kJobColumns; results are loaded separately.
JobRecord read_job(SQLite::Statement& s) {
  JobRecord j;
  j.job_id = s.getColumn(0).getString();
  j.tenant_id = s.getColumn(1).getString();
  const std::string status = s.getColumn(2).getString();
  const auto parsed = parse_job_status(status);
  if (!parsed) throw std::runtime_error("job " + j.job_id + " has unknown status '" + status + "'");
  j.status = *parsed;
  j.progress = s.getColumn(3).getInt();
  j.seq = static_cast<std::uint64_t>(s.getColumn(4).getInt64());
  j.total_products = s.getColumn(5).getInt();
  j.products_completed = s.getColumn(6).getInt();
  j.horizon_days = s.getColumn(7).getInt();
  j.requested_products = json_columns::decode_strings(s.getColumn(8).getString());
  j.current_step = s.getColumn(9).getString();
  j.error = s.getColumn(10).getString();
  j.created_at_us = s.getColumn(11).getInt64();
  j.started_at_us = s.getColumn(12).getInt64();
  j.finished_at_us = s.getColumn(13).getInt64();
  j.live = json_columns::decode_object(s.getColumn(14).getString());
  return j;
}

double nullable_double(const SQLite::Column& c) {
  return c.isNull() ? forecast::kNaN : c.getDouble();
}

void insert_results(SQLite::Statement& stmt, const JobRecord& job, std::size_t from) {
  for (std::size_t i = from; i < job.results.size(); ++i) {
    const ProductResult& r = job.results[i];
    StatementUse s(stmt);
    s->bind(1, job.job_id);
    s->bind(2, static_cast<std::int64_t>(i));
    s->bind(3, r.product);
    s->bind(4, r.status);
    s->bind(5, r.error);
    s->bind(6, r.model);
    s->bind(7, r.fallback ? 1 : 0);
    s->bind(8, r.fallback_reason);
    s->bind(9, r.metrics.mae);  // NaN binds as NULL
    s->bind(10, r.metrics.rmse);
    s->bind(11, r.metrics.mape);
    s->bind(12, r.metrics.smape);
    s->bind(13, r.metrics.mase);
    s->bind(14, r.fit_ms);
    s->exec();
  }
}

void load_results(SQLite::Statement& stmt, JobRecord& job) {
  StatementUse s(stmt);
  s->bind(1, job.job_id);
  while (s->executeStep()) {
    ProductResult r;
    r.product = s->getColumn(0).getString();
    r.status = s->getColumn(1).getString();
    r.error = s->getColumn(2).getString();
    r.model = s->getColumn(3).getString();
    r.fallback = s->getColumn(4).getInt() != 0;
    r.fallback_reason = s->getColumn(5).getString();
    r.metrics.mae = nullable_double(s->getColumn(6));
    r.metrics.rmse = nullable_double(s->getColumn(7));
    r.metrics.mape = nullable_double(s->getColumn(8));
    r.metrics.smape = nullable_double(s->getColumn(9));
    r.metrics.mase = nullable_double(s->getColumn(10));
    r.fit_ms = nullable_double(s->getColumn(11));
    job.results.push_back(std::move(r));
  }
}

}  // namespace

// Runs a job query, then fills each job's results (after the query is reset, so only one
// statement is active at a time).
std::vector<JobRecord> read_jobs(SQLite::Statement& query, SQLite::Statement& results) {
  std::vector<JobRecord> jobs;
  while (query.executeStep()) jobs.push_back(read_job(query));
  query.tryReset();
  for (auto& j : jobs) load_results(results, j);
  return jobs;
}

void SqliteStore::create_job(const JobRecord& job) {
  impl_->locked("create_job", [&] {
    SQLite::Transaction tx(impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
    {
      StatementUse s(impl_->job_insert);
      bind_job(*s, job);
      s->exec();
    }
    insert_results(impl_->result_insert, job, 0);
    tx.commit();
  });
}

void SqliteStore::save_job(const JobRecord& job) {
  impl_->locked("save_job", [&] {
    SQLite::Transaction tx(impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
    {
      StatementUse s(impl_->job_upsert);
      bind_job(*s, job);
      if (s->exec() == 0) {
        // Either another tenant's id, or a job that already ended (final: nothing to write).
        StatementUse q(impl_->job_tenant);
        q->bind(1, job.job_id);
        if (q->executeStep() && q->getColumn(0).getString() != job.tenant_id) {
          throw std::invalid_argument("save_job: job " + job.job_id +
                                      " belongs to another tenant than " + job.tenant_id);
        }
        return;
      }
    }
    std::size_t stored = 0;
    {
      StatementUse s(impl_->result_next_idx);
      s->bind(1, job.job_id);
      s->executeStep();
      stored = static_cast<std::size_t>(s->getColumn(0).getInt64());
    }
    if (stored > job.results.size()) {
      StatementUse s(impl_->result_trim);
      s->bind(1, job.job_id);
      s->bind(2, static_cast<std::int64_t>(job.results.size()));
      s->exec();
      stored = job.results.size();
    }
    insert_results(impl_->result_insert, job, stored);
    tx.commit();
  });
}

std::optional<JobRecord> SqliteStore::get_job(const std::string& tenant,
                                              const std::string& job_id) {
  return impl_->locked("get_job", [&]() -> std::optional<JobRecord> {
    StatementUse q(impl_->job_get);
    q->bind(1, tenant);
    q->bind(2, job_id);
    auto jobs = read_jobs(*q, impl_->result_select);
    if (jobs.empty()) return std::nullopt;
    return std::move(jobs.front());
  });
}

std::vector<JobRecord> SqliteStore::list_jobs(const std::string& tenant, std::size_t limit) {
  constexpr auto kMax = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
  return impl_->locked("list_jobs", [&] {
    StatementUse q(impl_->job_list);
    q->bind(1, tenant);
    q->bind(2, static_cast<std::int64_t>(std::min(limit, kMax)));
    return read_jobs(*q, impl_->result_select);
  });
}

std::vector<JobRecord> SqliteStore::unfinished_jobs() {
  return impl_->locked("unfinished_jobs", [&] {
    StatementUse q(impl_->job_unfinished);
    return read_jobs(*q, impl_->result_select);
  });
}

std::optional<std::pair<std::string, JobStatus>> SqliteStore::active_job(
    const std::string& tenant) {
  return impl_->locked("active_job", [&]() -> std::optional<std::pair<std::string, JobStatus>> {
    StatementUse q(impl_->job_active);
    q->bind(1, tenant);
    if (!q->executeStep()) return std::nullopt;
    return std::pair{q->getColumn(0).getString(),
                     parse_job_status(q->getColumn(1).getString()).value_or(JobStatus::running)};
  });
}

}  // namespace levain::training
