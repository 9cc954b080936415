// SqliteStore: job ownership (leases, claims) and cancel requests across replicas.
#include <chrono>

#include "training/store/sqlite/impl.hpp"

namespace levain::training {
namespace {

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

bool SqliteStore::request_cancel(const std::string& tenant, const std::string& job_id) {
  return impl_->locked("request_cancel", [&] {
    StatementUse s(impl_->job_request_cancel);
    s->bind(1, tenant);
    s->bind(2, job_id);
    return s->exec() == 1;
  });
}

bool SqliteStore::cancel_requested(const std::string& job_id) {
  return impl_->locked("cancel_requested", [&] {
    StatementUse q(impl_->job_cancel_requested);
    q->bind(1, job_id);
    return q->executeStep() && q->getColumn(0).getInt() != 0;
  });
}

void SqliteStore::renew_leases(const std::string& owner, const std::vector<std::string>& job_ids,
                               std::int64_t until_us) {
  if (job_ids.empty()) return;
  impl_->locked("renew_leases", [&] {
    SQLite::Transaction tx(impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
    for (const auto& id : job_ids) {
      StatementUse s(impl_->job_renew);
      s->bind(1, until_us);
      s->bind(2, id);
      s->bind(3, owner);
      s->exec();
    }
    tx.commit();
  });
}

std::vector<JobRecord> SqliteStore::expired_jobs(std::int64_t now) {
  return impl_->locked("expired_jobs", [&] {
    StatementUse q(impl_->job_expired);
    q->bind(1, now);
    q->bind(2, static_cast<std::int64_t>(kMaxExpiredJobs));
    return read_jobs(*q, impl_->result_select);
  });
}

bool SqliteStore::claim_job(const std::string& job_id, const std::string& owner,
                            std::int64_t until_us) {
  return impl_->locked("claim_job", [&] {
    StatementUse s(impl_->job_claim);
    s->bind(1, owner);
    s->bind(2, until_us);
    s->bind(3, job_id);
    s->bind(4, now_us());
    return s->exec() == 1;
  });
}

}  // namespace levain::training
