#include "cli/commands/service_options.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <iostream>
#include <thread>

#include "auth/token.hpp"
#include "bus/amqp_url.hpp"
#include "training/store/open_store.hpp"

namespace levain::cli {

void add_service_flags(CLI::App& cmd, ServiceFlags& f) {
  cmd.add_option("--listen", f.listen, "HOST:PORT to listen on (port 0 picks a free one)")
      ->capture_default_str();
  cmd.add_option("--data-dir", f.data_dir,
                 "Directory for the SQLite database; one process at a time (levain.lock in it)")
      ->capture_default_str();
  add_auth_flags(cmd, f.auth);
  add_limit_flags(cmd, f.limits);
  cmd.add_option("--io-threads", f.io_threads, "Network I/O threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  cmd.add_option("--train-threads", f.train_threads,
                 "Model-fitting threads (default: one per core)")
      ->check(CLI::Range(1, 256));
  cmd.add_option("--max-concurrent-jobs", f.max_concurrent_jobs,
                 "Jobs run at once on this replica; more wait in FIFO order. 0: a fan-out "
                 "replica, which serves REST and watchers but leaves every job to the others "
                 "(needs --database-url; or --amqp-url, for `levain bench-publish`)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000));
  cmd.add_option("--max-products-per-job", f.max_products_per_job, "Largest job accepted")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  cmd.add_option("--quota-concurrent-jobs", f.quota_concurrent_jobs,
                 "Jobs of one tenant pending or running at once, across replicas (0: no limit)")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{1000000}));
  cmd.add_option("--quota-jobs-per-hour", f.quota_jobs_per_hour,
                 "Jobs one tenant may start in any hour, across replicas (0: no limit)")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{1000000}));
  cmd.add_option("--quota-upload-bytes-per-day", f.quota_upload_bytes_per_day,
                 "Sales CSV bytes one tenant may upload in any 24 hours, across replicas (0: no "
                 "limit)")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{1} << 50));
  cmd.add_option("--quota-watchers-per-job", f.quota_watchers_per_job,
                 "Live watchers of one job, across replicas as their presence says; more are "
                 "closed with 4029 (0: no limit)")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{0}, training::api::kMaxWatcherQuota));
  cmd.add_option("--quota-watchers-per-tenant", f.quota_watchers_per_tenant,
                 "Live watchers of all one tenant's jobs, across replicas; more are closed with "
                 "4029 (0: no limit)")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{0}, training::api::kMaxWatcherQuota));
  cmd.add_option("--quota-tenant", f.quota_tenant,
                 "One tenant's own quotas over the defaults, TENANT:key=N[,key=N] with keys "
                 "concurrent-jobs, jobs-per-hour, upload-bytes-per-day, watchers-per-job, "
                 "watchers-per-tenant (repeat for more tenants)");
  cmd.add_option("--amqp-url", f.amqp_url,
                 "RabbitMQ event bus for several replicas, amqp://user:pass@host:port/vhost "
                 "(default: in-process, one replica)");
  cmd.add_option("--amqp-outbox-limit", f.amqp_outbox_limit,
                 "Events kept while the broker is away; past it progress events are dropped")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{10000000}));
  cmd.add_option("--amqp-heartbeat", f.amqp_heartbeat_s,
                 "AMQP heartbeat seconds (a silent broker is dropped after two); 0 turns it off")
      ->capture_default_str()
      ->check(CLI::Range(0, 600));
  cmd.add_option("--resume-events", f.resume_events,
                 "Events of each job kept for watchers that reconnect with Last-Event-ID or "
                 "?since= (0 turns resume off: they get the snapshot)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{0}, std::size_t{1000000}));
  cmd.add_option("--resume-bytes", f.resume_bytes,
                 "Payload bytes kept per job for resuming watchers")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 30));
  cmd.add_option("--resume-grace", f.resume_grace_s,
                 "Seconds a job's resume events are kept after its last event")
      ->capture_default_str()
      ->check(CLI::Range(0, 86400));
  cmd.add_option("--presence-ttl", f.presence_ttl_s,
                 "Seconds after which another replica's watchers stop counting when it has not "
                 "said its counts again (it says them every 5 s)")
      ->capture_default_str()
      ->check(CLI::Range(6, 3600));
  cmd.add_option("--live-check-ms", f.live_check_ms,
                 "A watched job that heard no event for this long is read from the store; when "
                 "the store is past what the bus brought (a replica killed with events unsent), "
                 "its watchers here get a fresh snapshot")
      ->capture_default_str()
      ->check(CLI::Range(100, 3600000));
  cmd.add_option("--webhook-allow", f.webhook_allow,
                 "Hosts (exact names) and IPv4/IPv6 addresses or CIDR blocks that tenants' "
                 "webhook URLs may name (repeatable or comma-separated); none by default, so a "
                 "tenant cannot make Levain call anything the operator has not listed")
      ->delimiter(',');
  cmd.add_option("--webhook-attempts", f.webhook_attempts,
                 "POSTs of one job ending before its delivery is given up as failed")
      ->capture_default_str()
      ->check(CLI::Range(1, 50));
  cmd.add_option("--webhook-first-retry", f.webhook_first_retry_s,
                 "Seconds before the first retry of a failed webhook POST; each later one waits "
                 "twice as long, plus up to half again at random (6 attempts at 20 s span over "
                 "10 minutes)")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 86400.0));
  cmd.add_option("--database-url", f.database_url,
                 "PostgreSQL shared by several replicas, postgresql://user:pass@host:port/db "
                 "(default: SQLite in --data-dir, one replica)");
  cmd.add_option("--job-lease-ms", f.job_lease_ms,
                 "How long a job stays this replica's without a heartbeat; the jobs of a replica "
                 "that died are ended after it (renewed every third of it)")
      ->capture_default_str()
      ->check(CLI::Range(300, 3600000));
  cmd.add_option("--log-level", f.log_level, "trace, debug, info, warn, error or off")
      ->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
}

training::ServiceConfig to_service_config(const ServiceFlags& f) {
  training::ServiceConfig c;
  std::tie(c.host, c.port) = split_host_port("--listen", f.listen);
  c.data_dir = f.data_dir;
  if (!f.database_url.empty() && !training::is_postgres_url(f.database_url)) {
    throw CLI::ValidationError("--database-url",
                               "expected postgresql://user:password@host:port/database");
  }
  c.database_url = f.database_url;
  // With a store of its own and no bus, nothing would ever train or publish its jobs. With a
  // bus, events for them can come from elsewhere (`levain bench-publish`): the service says so.
  if (f.max_concurrent_jobs == 0 && f.database_url.empty() && f.amqp_url.empty()) {
    throw CLI::ValidationError("--max-concurrent-jobs",
                               "0 (fan-out only) needs --database-url: with a store of its own "
                               "no other replica would ever run its jobs (or --amqp-url, for "
                               "events published by `levain bench-publish`)");
  }
  c.runner.lease = std::chrono::milliseconds(f.job_lease_ms);
  c.auth = to_verifier_config(f.auth);
  c.io_threads = f.io_threads;
  c.runner.train_threads =
      f.train_threads ? f.train_threads : std::max(1u, std::thread::hardware_concurrency());
  c.runner.max_concurrent_jobs = f.max_concurrent_jobs;
  c.api.max_products_per_job = f.max_products_per_job;
  c.api.quotas.defaults = {.concurrent_jobs = f.quota_concurrent_jobs,
                           .jobs_per_hour = f.quota_jobs_per_hour,
                           .upload_bytes_per_day = f.quota_upload_bytes_per_day,
                           .watchers_per_job = f.quota_watchers_per_job,
                           .watchers_per_tenant = f.quota_watchers_per_tenant};
  for (const auto& text : f.quota_tenant) {
    if (const auto problem = training::api::add_tenant_quota(c.api.quotas, text);
        !problem.empty()) {
      throw CLI::ValidationError("--quota-tenant", problem);
    }
  }
  c.live = to_live_limits(f.limits);
  c.resume.events = f.resume_events;
  c.resume.bytes = f.resume_bytes;
  c.resume.grace = std::chrono::seconds(f.resume_grace_s);
  c.presence_ttl = std::chrono::seconds(f.presence_ttl_s);
  c.live_check = std::chrono::milliseconds(f.live_check_ms);
  c.webhooks.allow = f.webhook_allow;
  c.api.webhook_allow = f.webhook_allow;
  c.webhooks.attempts = f.webhook_attempts;
  c.webhooks.first_retry =
      std::chrono::milliseconds(static_cast<std::int64_t>(f.webhook_first_retry_s * 1000));
  c.http = to_server_limits(f.limits);
  if (!f.amqp_url.empty()) {
    try {
      bus::parse_amqp_url(f.amqp_url);
    } catch (const std::invalid_argument& e) {
      throw CLI::ValidationError("--amqp-url", e.what());
    }
    c.amqp.url = f.amqp_url;
    c.amqp.outbox_limit = f.amqp_outbox_limit;
    c.amqp.heartbeat = std::chrono::seconds(f.amqp_heartbeat_s);
  }
  return c;
}

int run_service(const ServiceFlags& flags,
                const std::function<void(training::TrainingService&, unsigned short)>& on_ready) {
  spdlog::set_default_logger(spdlog::stderr_color_mt("levain"));
  spdlog::set_level(spdlog::level::from_str(flags.log_level));
  // Handlers go in before anything listens, so a signal sent as soon as we are up is not lost.
  boost::asio::io_context signals_ioc;
  boost::asio::signal_set signals(signals_ioc, SIGINT, SIGTERM);
  signals.async_wait([](const boost::system::error_code&, int sig) {
    spdlog::info("received signal {}: shutting down", sig);
  });
  training::TrainingService service(to_service_config(flags));
  const auto ep = naming_listen_flag("--listen", [&service] { return service.start(); });
  // `levain demo` says where to go itself: its URL is the gateway's, not this port.
  if (!on_ready) {
    std::cout << "levain: listening on " << ep.address().to_string() << ':' << ep.port()
              << std::endl;
  }
  spdlog::info("training service listening on {}:{} (data in {})", ep.address().to_string(),
               ep.port(), flags.data_dir);
  if (on_ready) on_ready(service, ep.port());
  signals_ioc.run();
  service.stop();
  return 0;
}

}  // namespace levain::cli
