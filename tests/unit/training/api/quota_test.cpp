// Tenant quotas, the pure part: sliding windows over what the store recorded, when a refused
// request would fit, and the per-tenant overrides as the flag spells them.
#include "training/api/quota.hpp"

#include <gtest/gtest.h>

namespace levain::training::api {
namespace {

constexpr std::int64_t kNow = 1'780'000'000'000'000;  // some instant, Unix microseconds
constexpr std::int64_t kMinute = 60'000'000;

TEST(Quota, NoLimitsRefuseNothing) {
  const TenantUsage heavy{.active_jobs = 99,
                          .job_starts = std::vector<std::int64_t>(99, kNow),
                          .uploads = {{kNow, 1LL << 40}}};
  EXPECT_FALSE(check_job_start({}, heavy, kNow));
  EXPECT_FALSE(check_upload({}, heavy, 1 << 20, kNow));
  EXPECT_FALSE(QuotaConfig{}.any());
}

TEST(Quota, ConcurrentJobsCannotKnowWhenOneEnds) {
  const auto r = check_job_start({.concurrent_jobs = 2},
                                 {.active_jobs = 2, .job_starts = {}, .uploads = {}}, kNow);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->limit, "concurrent_jobs");
  EXPECT_EQ(r->value, 2);
  EXPECT_EQ(r->used, 2);
  EXPECT_EQ(r->resets_at_us, 0);
  EXPECT_EQ(r->retry_after_s, kConcurrentRetryS);
  EXPECT_EQ(r->message, "quota exceeded: concurrent_jobs is 2 and 2 jobs are pending or running");
  EXPECT_FALSE(check_job_start({.concurrent_jobs = 2},
                               {.active_jobs = 1, .job_starts = {}, .uploads = {}}, kNow));
}

struct WindowCase {
  const char* name;
  std::vector<std::int64_t> starts_minutes_ago;  // oldest first
  std::int64_t limit;
  bool refused;
  std::int64_t fits_in_minutes;  // when refused: the oldest start that must leave the window
};

TEST(Quota, JobsPerHourFitAgainWhenTheOldestLeavesTheWindow) {
  const WindowCase cases[] = {
      {"under the limit", {50, 10}, 3, false, 0},
      {"at the limit", {50, 30, 10}, 3, true, 10},
      {"starts older than an hour do not count", {70, 65, 30, 10}, 3, false, 0},
      {"over it, several must leave", {55, 40, 30, 10}, 2, true, 30},
  };
  for (const auto& c : cases) {
    TenantUsage usage;
    for (const auto ago : c.starts_minutes_ago) usage.job_starts.push_back(kNow - ago * kMinute);
    const auto r = check_job_start({.jobs_per_hour = c.limit}, usage, kNow);
    ASSERT_EQ(r.has_value(), c.refused) << c.name;
    if (!r) continue;
    EXPECT_EQ(r->limit, "jobs_per_hour") << c.name;
    EXPECT_EQ(r->resets_at_us, kNow + c.fits_in_minutes * kMinute + 1) << c.name;
    EXPECT_EQ(r->retry_after_s, c.fits_in_minutes * 60 + 1) << c.name;
  }
}

TEST(Quota, UploadBytesCountTheUploadItselfAndAnUploadOverTheWholeQuotaNeverFits) {
  const TenantUsage usage{.active_jobs = 0,
                          .job_starts = {},
                          .uploads = {{kNow - 600 * kMinute, 600}, {kNow - 60 * kMinute, 300}}};
  const QuotaLimits limits{.upload_bytes_per_day = 1000};
  EXPECT_FALSE(check_upload(limits, usage, 100, kNow));
  const auto r = check_upload(limits, usage, 200, kNow);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->used, 900);
  EXPECT_EQ(r->resets_at_us, kNow + (1440 - 600) * kMinute + 1) << "the 600 bytes must leave";
  const auto never = check_upload(limits, {}, 5000, kNow);
  ASSERT_TRUE(never);
  EXPECT_EQ(never->resets_at_us, 0);
  EXPECT_EQ(never->retry_after_s, 0);
  EXPECT_NE(never->message.find("more than the whole quota"), std::string::npos);
}

TEST(Quota, TenantOverridesStartFromTheDefaults) {
  QuotaConfig config;
  config.defaults = {.concurrent_jobs = 2, .jobs_per_hour = 10, .upload_bytes_per_day = 0};
  EXPECT_EQ(add_tenant_quota(config, "big-chain:jobs-per-hour=100,upload-bytes-per-day=5000"), "");
  EXPECT_EQ(add_tenant_quota(config, "free:concurrent-jobs=0"), "");
  EXPECT_EQ(add_tenant_quota(config, "screens:watchers-per-job=3,watchers-per-tenant=1000000"), "");
  EXPECT_EQ(config.for_tenant("screens").watchers_per_job, 3);
  EXPECT_EQ(config.for_tenant("screens").watchers_per_tenant, 1'000'000);
  const auto& big = config.for_tenant("big-chain");
  EXPECT_EQ(big.concurrent_jobs, 2);
  EXPECT_EQ(big.jobs_per_hour, 100);
  EXPECT_EQ(big.upload_bytes_per_day, 5000);
  EXPECT_EQ(config.for_tenant("free").concurrent_jobs, 0);
  EXPECT_EQ(config.for_tenant("other").jobs_per_hour, 10);
  EXPECT_TRUE(config.any());
  const std::pair<const char*, const char*> bad[] = {
      {"no-colon", "expected TENANT:key=value"},
      {"bad tenant!:jobs-per-hour=1", "is not a tenant id"},
      {"t:jobs-per-hour=-1", "is not key=N"},
      {"t:jobs-per-hour=1x", "is not key=N"},
      {"t:jobs=1", "unknown quota 'jobs'"},
      {"t:watchers-per-tenant=1000001", "'watchers-per-tenant' is at most 1000000"},
  };
  for (const auto& [text, why] : bad) {
    EXPECT_NE(add_tenant_quota(config, text).find(why), std::string::npos) << text;
  }
}

}  // namespace
}  // namespace levain::training::api
