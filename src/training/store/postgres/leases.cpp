// PostgresStore: job ownership (leases, claims) and cancel requests across replicas.
#include "training/store/postgres/impl.hpp"

namespace levain::training {

bool PostgresStore::request_cancel(const std::string& tenant, const std::string& job_id) {
  return impl_->pool.run("request_cancel", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    const auto n = tx.exec_prepared(pg::stmt::kJobRequestCancel, tenant, job_id).affected_rows();
    tx.commit();
    return n == 1;
  });
}

bool PostgresStore::cancel_requested(const std::string& job_id) {
  return impl_->pool.run("cancel_requested", [&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    const auto r = tx.exec_prepared(pg::stmt::kJobCancelRequested, job_id);
    return !r.empty() && r[0][0].as<bool>();
  });
}

void PostgresStore::renew_leases(const std::string& owner, const std::vector<std::string>& job_ids,
                                 std::int64_t until_us) {
  if (job_ids.empty()) return;
  impl_->pool.run("renew_leases", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_prepared(pg::stmt::kJobRenew, until_us, owner, pg::text_array(job_ids));
    tx.commit();
  });
}

bool PostgresStore::claim_job(const std::string& job_id, const std::string& owner,
                              std::int64_t until_us) {
  // One UPDATE: the row lock makes the check and the take atomic between replicas.
  return impl_->pool.run("claim_job", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    const auto n = tx.exec_prepared(pg::stmt::kJobClaim, owner, until_us, job_id, pg::now_us())
                       .affected_rows();
    tx.commit();
    return n == 1;
  });
}

}  // namespace levain::training
