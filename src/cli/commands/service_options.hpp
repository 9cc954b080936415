#pragma once
/// Flags shared by `levain training` and `levain demo`, and their translation into the
/// service's configuration (with the errors a person can act on).

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "cli/commands/common_flags.hpp"
#include "training/service.hpp"

namespace levain::cli {

struct ServiceFlags {
  std::string listen = "127.0.0.1:8081";
  std::string data_dir = "levain-data";
  AuthFlags auth;
  LimitFlags limits;
  unsigned io_threads = 2;
  unsigned train_threads = 0;  // 0: one per core
  unsigned max_concurrent_jobs = 2;
  int max_products_per_job = 5000;
  std::int64_t quota_concurrent_jobs = 0;  // quotas: 0 is no limit
  std::int64_t quota_jobs_per_hour = 0;
  std::int64_t quota_upload_bytes_per_day = 0;
  std::int64_t quota_watchers_per_job = 0;
  std::int64_t quota_watchers_per_tenant = 0;
  std::vector<std::string> quota_tenant;  // TENANT:key=value,... overrides
  std::string log_level = "info";
  std::string amqp_url;      // empty: the in-process bus
  std::string database_url;  // empty: SQLite in data_dir
  int job_lease_ms = 15000;
  std::size_t amqp_outbox_limit = 10000;
  int amqp_heartbeat_s = 10;
  std::size_t resume_events = 1000;
  std::size_t resume_bytes = 256 * 1024;
  int resume_grace_s = 60;
  int presence_ttl_s = 15;
  int live_check_ms = 10000;
  std::vector<std::string> webhook_allow;
  int webhook_attempts = 6;
  double webhook_first_retry_s = 20;
};

void add_service_flags(CLI::App& cmd, ServiceFlags& flags);

/// Throws CLI::ValidationError with a clear message for inconsistent flags.
training::ServiceConfig to_service_config(const ServiceFlags& flags);

/// Starts the service, prints `levain: listening on HOST:PORT` (unless `on_ready` is given: it
/// prints what the user needs), calls `on_ready`, and runs until SIGINT/SIGTERM. Returns the
/// process exit code; a taken port or a data directory in use throws, naming the cause.
int run_service(const ServiceFlags& flags,
                const std::function<void(training::TrainingService&, unsigned short)>& on_ready);

}  // namespace levain::cli
