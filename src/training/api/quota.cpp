#include "training/api/quota.hpp"

#include <charconv>
#include <limits>
#include <vector>

#include "common/ids.hpp"
#include "training/jobs/job_json.hpp"

namespace levain::training::api {
namespace {

struct Entry {
  std::int64_t at = 0;
  std::int64_t amount = 0;
};

// The first moment from `now` on when `amount` more fits under `value` in a window of
// `window_us`, given the window's entries oldest first; 0 when it never fits.
std::int64_t earliest_fit(const std::vector<Entry>& entries, std::int64_t amount,
                          std::int64_t value, std::int64_t window_us, std::int64_t now_us,
                          std::int64_t& used) {
  used = 0;
  for (const Entry& e : entries) {
    if (e.at > now_us - window_us) used += e.amount;
  }
  if (amount > value) return 0;
  std::int64_t left = used;
  if (left + amount <= value) return now_us;
  for (const Entry& e : entries) {
    if (e.at <= now_us - window_us) continue;
    left -= e.amount;
    if (left + amount <= value) return e.at + window_us + 1;  // the moment e leaves the window
  }
  return 0;  // unreachable while amount <= value
}

QuotaRefusal refusal(std::string limit, std::int64_t value, std::int64_t used, std::int64_t fit,
                     std::int64_t now_us, std::string what) {
  QuotaRefusal r{.limit = std::move(limit),
                 .value = value,
                 .used = used,
                 .resets_at_us = fit > now_us ? fit : 0,
                 .retry_after_s = 0,
                 .message = {}};
  r.retry_after_s = r.resets_at_us > 0 ? (r.resets_at_us - now_us + 999'999) / 1'000'000 : 0;
  r.message = "quota exceeded: " + r.limit + " is " + std::to_string(value) + " and " + what;
  if (r.resets_at_us > 0) r.message += "; allowed again at " + iso8601_micros(r.resets_at_us);
  return r;
}

struct QuotaKey {
  std::string_view name;
  std::int64_t QuotaLimits::*field;
  std::int64_t max;
};
constexpr std::int64_t kNoMax = std::numeric_limits<std::int64_t>::max();
constexpr QuotaKey kKeys[] = {
    {"concurrent-jobs", &QuotaLimits::concurrent_jobs, kNoMax},
    {"jobs-per-hour", &QuotaLimits::jobs_per_hour, kNoMax},
    {"upload-bytes-per-day", &QuotaLimits::upload_bytes_per_day, kNoMax},
    {"watchers-per-job", &QuotaLimits::watchers_per_job, kMaxWatcherQuota},
    {"watchers-per-tenant", &QuotaLimits::watchers_per_tenant, kMaxWatcherQuota},
};

/// "" or what is wrong with key=v.
std::string set_key(QuotaLimits& limits, std::string_view key, std::int64_t v) {
  for (const QuotaKey& k : kKeys) {
    if (k.name != key) continue;
    if (v > k.max) return "'" + std::string(key) + "' is at most " + std::to_string(k.max);
    limits.*k.field = v;
    return "";
  }
  std::string known;
  for (const QuotaKey& k : kKeys) known += (known.empty() ? "" : ", ") + std::string(k.name);
  return "unknown quota '" + std::string(key) + "' (" + known + ")";
}

}  // namespace

const QuotaLimits& QuotaConfig::for_tenant(std::string_view tenant) const {
  const auto it = tenants.find(tenant);
  return it == tenants.end() ? defaults : it->second;
}

bool QuotaConfig::any() const {
  const auto set = [](const QuotaLimits& l) {
    return l.concurrent_jobs > 0 || l.jobs_per_hour > 0 || l.upload_bytes_per_day > 0;
  };
  if (set(defaults)) return true;
  for (const auto& [name, limits] : tenants) {
    if (set(limits)) return true;
  }
  return false;
}

std::string add_tenant_quota(QuotaConfig& config, std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) {
    return "expected TENANT:key=value[,key=value], e.g. bakery-1:jobs-per-hour=20";
  }
  const std::string tenant(text.substr(0, colon));
  if (!common::valid_id(tenant)) return "'" + tenant + "' is not a tenant id";
  QuotaLimits limits = config.defaults;
  std::string_view rest = text.substr(colon + 1);
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const std::string_view pair = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    const auto eq = pair.find('=');
    std::int64_t v = -1;
    const std::string_view number = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
    const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), v);
    if (eq == std::string_view::npos || ec != std::errc{} || end != number.data() + number.size() ||
        v < 0) {
      return "'" + std::string(pair) + "' is not key=N with N a whole number from 0";
    }
    if (auto problem = set_key(limits, pair.substr(0, eq), v); !problem.empty()) return problem;
  }
  config.tenants[tenant] = limits;
  return "";
}

std::optional<QuotaRefusal> check_job_start(const QuotaLimits& limits, const TenantUsage& usage,
                                            std::int64_t now_us) {
  const auto active = static_cast<std::int64_t>(usage.active_jobs);
  if (limits.concurrent_jobs > 0 && active >= limits.concurrent_jobs) {
    auto r = refusal("concurrent_jobs", limits.concurrent_jobs, active, 0, now_us,
                     std::to_string(active) + " jobs are pending or running");
    r.retry_after_s = kConcurrentRetryS;
    return r;
  }
  if (limits.jobs_per_hour > 0) {
    std::vector<Entry> entries;
    for (const auto at : usage.job_starts) entries.push_back({at, 1});
    std::int64_t used = 0;
    const auto fit = earliest_fit(entries, 1, limits.jobs_per_hour, kHourUs, now_us, used);
    if (fit != now_us) {
      return refusal("jobs_per_hour", limits.jobs_per_hour, used, fit, now_us,
                     std::to_string(used) + " jobs were started in the last hour");
    }
  }
  return std::nullopt;
}

std::optional<QuotaRefusal> check_upload(const QuotaLimits& limits, const TenantUsage& usage,
                                         std::int64_t bytes, std::int64_t now_us) {
  if (limits.upload_bytes_per_day <= 0) return std::nullopt;
  std::vector<Entry> entries;
  for (const auto& [at, b] : usage.uploads) entries.push_back({at, b});
  std::int64_t used = 0;
  const auto fit = earliest_fit(entries, bytes, limits.upload_bytes_per_day, kDayUs, now_us, used);
  if (fit == now_us) return std::nullopt;
  return refusal("upload_bytes_per_day", limits.upload_bytes_per_day, used, fit, now_us,
                 std::to_string(used) + " bytes were uploaded in the last 24 hours; this upload " +
                     "is " + std::to_string(bytes) +
                     (fit == 0 ? " bytes, more than the whole quota" : " bytes"));
}

}  // namespace levain::training::api
