#include "training/jobs/job_json.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace levain::training {
namespace {

boost::json::value timestamp_or_null(std::int64_t us) {
  if (us == 0) return nullptr;
  return boost::json::string(iso8601_micros(us));
}

boost::json::value string_or_null(const std::string& s) {
  if (s.empty()) return nullptr;
  return boost::json::string(s);
}

}  // namespace

// Four decimals is more than any screen shows, and keeps bodies short and stable in tests.
boost::json::value metric_json(double x) {
  if (!std::isfinite(x)) return nullptr;
  if (std::fabs(x) >= 1e12) return x;  // scaling would lose more than rounding gains
  return std::round(x * 1e4) / 1e4;
}

boost::json::value to_json(const forecast::Accuracy& a) {
  return boost::json::object{
      {"mae", metric_json(a.mae)},     {"rmse", metric_json(a.rmse)}, {"mape", metric_json(a.mape)},
      {"smape", metric_json(a.smape)}, {"mase", metric_json(a.mase)},
  };
}

boost::json::object to_json(const ProductResult& r) {
  boost::json::object o;
  o["product_name"] = r.product;
  o["status"] = r.status;
  if (r.status == "failed") o["error"] = r.error;
  o["model"] = string_or_null(r.model);
  o["fallback"] = r.fallback;
  if (!r.fallback_reason.empty()) o["fallback_reason"] = r.fallback_reason;
  o["metrics"] = to_json(r.metrics);
  o["fit_ms"] = metric_json(r.fit_ms);
  o["duration_ms"] = std::isfinite(r.fit_ms) ? std::llround(r.fit_ms) : 0;
  return o;
}

boost::json::object to_json(const JobRecord& job) {
  boost::json::object o;
  o["job_id"] = job.job_id;
  o["tenant_id"] = job.tenant_id;
  o["status"] = to_string(job.status);
  o["progress"] = job.progress;
  o["seq"] = job.seq;
  o["total_products"] = job.total_products;
  o["products_completed"] = job.products_completed;
  o["horizon_days"] = job.horizon_days;
  o["current_step"] = job.current_step;
  if (!job.error.empty()) o["error"] = job.error;
  boost::json::array requested;
  for (const auto& p : job.requested_products) requested.emplace_back(p);
  o["requested_products"] = std::move(requested);
  o["created_at"] = timestamp_or_null(job.created_at_us);
  o["started_at"] = timestamp_or_null(job.started_at_us);
  o["finished_at"] = timestamp_or_null(job.finished_at_us);
  boost::json::array products;
  products.reserve(job.results.size());
  for (const auto& r : job.results) products.emplace_back(to_json(r));
  o["products"] = std::move(products);
  // Keys a job that has not started yet has too, so a client reads one shape throughout.
  for (const char* key : {"elapsed_s", "eta_s", "summary", "report"}) o[key] = nullptr;
  o["in_flight"] = boost::json::array();
  for (const auto& [key, value] : job.live) o[key] = value;
  return o;
}

boost::json::object to_json(const StoredModel& m) {
  boost::json::object o;
  o["product"] = m.product;
  o["job_id"] = m.job_id;
  o["model"] = m.report.model;
  o["fallback"] = m.report.fallback;
  o["fallback_reason"] = string_or_null(m.report.fallback_reason);
  o["metrics"] = to_json(m.report.holdout);
  o["trained_at"] = timestamp_or_null(m.trained_at_us);
  o["horizon_days"] = m.report.forecast.size();
  o["version"] = m.version;
  return o;
}

std::string iso8601_micros(std::int64_t unix_micros) {
  using namespace std::chrono;
  // 0000-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999Z: the range four year digits can show.
  constexpr std::int64_t kMin = -62167219200LL * 1'000'000;
  constexpr std::int64_t kMax = 253402300800LL * 1'000'000 - 1;
  if (unix_micros < kMin || unix_micros > kMax) {
    throw std::out_of_range("iso8601_micros: timestamp " + std::to_string(unix_micros) +
                            " us is outside years 0000..9999");
  }
  const sys_time<microseconds> tp{microseconds{unix_micros}};
  const auto day = floor<days>(tp);
  const year_month_day ymd{day};
  const hh_mm_ss<microseconds> t{tp - day};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02lld.%06lldZ",
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<int>(t.hours().count()),
                static_cast<int>(t.minutes().count()), static_cast<long long>(t.seconds().count()),
                static_cast<long long>(t.subseconds().count()));
  return buf;
}

}  // namespace levain::training
