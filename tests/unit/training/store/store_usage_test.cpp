// What quotas are measured on (both backends): a tenant's unfinished jobs, its recent job starts
// and its recent uploads' sizes, oldest first, with old upload entries trimmed.
#include <gtest/gtest.h>

#include "store/store_backends.hpp"

namespace levain::training {
namespace {

JobRecord job(const std::string& tenant, const std::string& id, std::int64_t created,
              JobStatus status) {
  JobRecord j;
  j.job_id = id;
  j.tenant_id = tenant;
  j.created_at_us = created;
  j.status = status;
  return j;
}

class StoreUsage : public testing::StoreTest {};

TEST_P(StoreUsage, CountsUnfinishedJobsAndRecentStartsOfOneTenant) {
  store_.create_job(job("t", "a", 100, JobStatus::completed));
  store_.create_job(job("t", "b", 300, JobStatus::running));
  store_.create_job(job("t", "c", 200, JobStatus::pending));
  store_.create_job(job("other", "d", 250, JobStatus::running));
  const auto usage = store_.tenant_usage("t", 150, 0);
  EXPECT_EQ(usage.active_jobs, 2u);
  EXPECT_EQ(usage.job_starts, (std::vector<std::int64_t>{200, 300})) << "since 150, oldest first";
  EXPECT_TRUE(usage.uploads.empty());
  EXPECT_EQ(store_.tenant_usage("nobody", 0, 0).active_jobs, 0u);
}

TEST_P(StoreUsage, UploadSizesAreKeptTwoDaysPerTenant) {
  constexpr std::int64_t kDay = 24LL * 3600 * 1'000'000;
  store_.record_upload_bytes("t", 10 * kDay, 500);
  store_.record_upload_bytes("t", 11 * kDay, 700);
  store_.record_upload_bytes("other", 11 * kDay, 9);
  auto usage = store_.tenant_usage("t", 0, 10 * kDay);
  ASSERT_EQ(usage.uploads.size(), 2u);
  EXPECT_EQ(usage.uploads[0], (std::pair<std::int64_t, std::int64_t>{10 * kDay, 500}));
  EXPECT_EQ(usage.uploads[1].second, 700);
  store_.record_upload_bytes("t", 13 * kDay, 1);  // day 10's entry is now older than two days
  usage = store_.tenant_usage("t", 0, 0);
  ASSERT_EQ(usage.uploads.size(), 2u);
  EXPECT_EQ(usage.uploads[0].first, 11 * kDay);
  EXPECT_EQ(store_.tenant_usage("other", 0, 0).uploads.size(), 1u);
}

LEVAIN_STORE_BACKENDS(StoreUsage);

}  // namespace
}  // namespace levain::training
