#pragma once
/// Tenant quotas as pure logic (docs/deploy.md, "Tenant quotas"): concurrent jobs, jobs started
/// per hour and upload bytes per day, each a sliding window over what the shared store recorded
/// (Store::tenant_usage), so they hold across replicas. Over a limit the answer is a 429 that
/// names the limit, its value, what was used and when the request would fit.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "training/store/store.hpp"

namespace levain::training::api {

inline constexpr std::int64_t kHourUs = 3600LL * 1'000'000;
inline constexpr std::int64_t kDayUs = 24 * kHourUs;
/// A concurrent-jobs refusal cannot know when a job ends: the client is told to retry after this.
inline constexpr std::int64_t kConcurrentRetryS = 30;

/// The largest watcher quota: its number must fit a WebSocket close reason (4029).
inline constexpr std::int64_t kMaxWatcherQuota = 1'000'000;

/// 0 means no limit.
struct QuotaLimits {
  std::int64_t concurrent_jobs = 0;
  std::int64_t jobs_per_hour = 0;
  std::int64_t upload_bytes_per_day = 0;
  // Live watchers: counted from presence (training/live/presence.hpp), not the store.
  std::int64_t watchers_per_job = 0;
  std::int64_t watchers_per_tenant = 0;
};

struct QuotaConfig {
  QuotaLimits defaults;
  std::map<std::string, QuotaLimits, std::less<>> tenants;  // each complete, the defaults filled in
  const QuotaLimits& for_tenant(std::string_view tenant) const;
  bool any() const;  // some limit the store counts is set: the store must be asked
};

/// Adds "TENANT:key=value[,key=value...]" (keys concurrent-jobs, jobs-per-hour,
/// upload-bytes-per-day, watchers-per-job, watchers-per-tenant; 0 lifts a limit) over
/// `config.defaults`, so call it after the defaults are final. Returns "" or what is wrong with
/// `text`.
std::string add_tenant_quota(QuotaConfig& config, std::string_view text);

struct QuotaRefusal {
  std::string limit;  // "concurrent_jobs", "jobs_per_hour" or "upload_bytes_per_day"
  std::int64_t value = 0;
  std::int64_t used = 0;
  std::int64_t resets_at_us = 0;  // when the request would fit; 0 when unknown or never
  std::int64_t retry_after_s = 0;
  std::string message;
};

std::optional<QuotaRefusal> check_job_start(const QuotaLimits& limits, const TenantUsage& usage,
                                            std::int64_t now_us);
std::optional<QuotaRefusal> check_upload(const QuotaLimits& limits, const TenantUsage& usage,
                                         std::int64_t bytes, std::int64_t now_us);

}  // namespace levain::training::api
