#pragma once
/// The training job as the store keeps it and as REST and the WebSocket snapshot show it.

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "forecast/types.hpp"

namespace levain::training {

enum class JobStatus { pending, running, completed, failed, cancelled };

std::string_view to_string(JobStatus s);
std::optional<JobStatus> parse_job_status(std::string_view s);
inline bool is_terminal(JobStatus s) {
  return s == JobStatus::completed || s == JobStatus::failed || s == JobStatus::cancelled;
}

/// One product's outcome inside a job.
struct ProductResult {
  std::string product;
  std::string status;  // "succeeded" or "failed"
  std::string error;   // set when status is "failed"
  std::string model;   // FitReport::model
  bool fallback = false;
  std::string fallback_reason;
  forecast::Accuracy metrics;
  double fit_ms = 0;
};

struct JobRecord {
  std::string job_id;
  std::string tenant_id;
  JobStatus status = JobStatus::pending;
  int progress = 0;       // 0..100, never decreases
  std::uint64_t seq = 0;  // last event folded into this record; 0 before the first
  int total_products = 0;
  int products_completed = 0;
  int horizon_days = 14;
  std::vector<std::string> requested_products;  // empty = all of the tenant's products
  std::vector<ProductResult> results;           // in completion order
  std::string current_step;
  std::string error;               // why the job failed or was cancelled
  std::int64_t created_at_us = 0;  // Unix microseconds; 0 = not yet
  std::int64_t started_at_us = 0;
  std::int64_t finished_at_us = 0;
  /// What a watcher acts on, as of the job's last event: elapsed_s, eta_s, in_flight, summary,
  /// report, eta_error (docs/live-protocol.md). Shown as top-level keys of the job's JSON.
  boost::json::object live;
};

}  // namespace levain::training
