// PostgresStore: what a tenant's quotas are measured on (training/api/quota.hpp), shared by every
// replica, so a quota holds across them.
#include "training/store/postgres/impl.hpp"

namespace levain::training {

TenantUsage PostgresStore::tenant_usage(const std::string& tenant, std::int64_t jobs_since,
                                        std::int64_t uploads_since) {
  return impl_->pool.run("tenant_usage", [&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    TenantUsage out;
    const auto limit = static_cast<std::int64_t>(kMaxUsageEntries);
    for (const auto& r : tx.exec_prepared(pg::stmt::kUsageActive, tenant)) {
      out.active_jobs = r[0].as<std::size_t>();
    }
    for (const auto& r : tx.exec_prepared(pg::stmt::kUsageStarts, tenant, jobs_since, limit)) {
      out.job_starts.push_back(r[0].as<std::int64_t>());
    }
    for (const auto& r : tx.exec_prepared(pg::stmt::kUsageUploads, tenant, uploads_since, limit)) {
      out.uploads.emplace_back(r[0].as<std::int64_t>(), r[1].as<std::int64_t>());
    }
    return out;
  });
}

void PostgresStore::record_upload_bytes(const std::string& tenant, std::int64_t at,
                                        std::int64_t bytes) {
  impl_->pool.run("record_upload_bytes", [&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_prepared(pg::stmt::kUsageRecord, tenant, at, bytes);
    tx.exec_prepared(pg::stmt::kUsageTrim, tenant, at - kUsageKeepUs);
    tx.commit();
  });
}

}  // namespace levain::training
