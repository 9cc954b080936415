// SqliteStore: what a tenant's quotas are measured on (training/api/quota.hpp).
#include "training/store/sqlite/impl.hpp"

namespace levain::training {

TenantUsage SqliteStore::tenant_usage(const std::string& tenant, std::int64_t jobs_since,
                                      std::int64_t uploads_since) {
  return impl_->locked("tenant_usage", [&] {
    TenantUsage out;
    const auto limit = static_cast<std::int64_t>(kMaxUsageEntries);
    SQLite::Statement active(impl_->db,
                             "SELECT count(*) FROM jobs WHERE tenant = ? "
                             "AND status IN ('pending', 'running')");
    active.bind(1, tenant);
    if (active.executeStep())
      out.active_jobs = static_cast<std::size_t>(active.getColumn(0).getInt64());
    SQLite::Statement starts(impl_->db,
                             "SELECT created_at FROM jobs WHERE tenant = ? AND created_at >= ? "
                             "ORDER BY created_at LIMIT ?");
    starts.bind(1, tenant);
    starts.bind(2, jobs_since);
    starts.bind(3, limit);
    while (starts.executeStep()) out.job_starts.push_back(starts.getColumn(0).getInt64());
    SQLite::Statement uploads(impl_->db,
                              "SELECT at_us, bytes FROM upload_bytes WHERE tenant = ? "
                              "AND at_us >= ? ORDER BY at_us LIMIT ?");
    uploads.bind(1, tenant);
    uploads.bind(2, uploads_since);
    uploads.bind(3, limit);
    while (uploads.executeStep()) {
      out.uploads.emplace_back(uploads.getColumn(0).getInt64(), uploads.getColumn(1).getInt64());
    }
    return out;
  });
}

void SqliteStore::record_upload_bytes(const std::string& tenant, std::int64_t at,
                                      std::int64_t bytes) {
  impl_->locked("record_upload_bytes", [&] {
    SQLite::Transaction tx(impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement insert(impl_->db,
                             "INSERT INTO upload_bytes (tenant, at_us, bytes) VALUES (?, ?, ?)");
    insert.bind(1, tenant);
    insert.bind(2, at);
    insert.bind(3, bytes);
    insert.exec();
    SQLite::Statement trim(impl_->db, "DELETE FROM upload_bytes WHERE tenant = ? AND at_us < ?");
    trim.bind(1, tenant);
    trim.bind(2, at - kUsageKeepUs);
    trim.exec();
    tx.commit();
  });
}

}  // namespace levain::training
