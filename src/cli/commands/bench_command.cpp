// `levain bench`: the load generator's flags; the logic is in src/loadgen.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <iostream>

#include "cli/commands/commands.hpp"
#include "cli/commands/common_flags.hpp"
#include "loadgen/bench.hpp"
#include "loadgen/publish.hpp"

namespace levain::cli {

void add_bench_command(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand(
      "bench",
      "Load-test the live endpoint: N watchers of one job (WebSocket or SSE); prints loss per "
      "client, "
      "fan-out latency, msgs/s and server memory. Exit 0 nothing lost, 1 loss or failed "
      "connects, 2 setup error");
  auto o = std::make_shared<loadgen::BenchOptions>();
  cmd->add_option("--url", o->url, "Replica or gateway base URL, e.g. http://127.0.0.1:8081")
      ->required();
  cmd->add_option("--tenant", o->tenant, "Tenant (bakery) id")->required();
  cmd->add_option("--token", o->token, "JWT granting the tenant (role trainer with --products)");
  cmd->add_option("--secret", o->secret,
                  "HS256 secret of the service: mint a 1 h token (tenant, role trainer)");
  cmd->add_option("--clients", o->clients, "Watchers to open")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  auto transport = std::make_shared<LiveTransport>(LiveTransport::websocket);
  add_transport_flag(*cmd, *transport);
  cmd->add_option("--products", o->products,
                  "Upload P demo products, start a job, and watch it (the clients' TCP "
                  "connections are opened before the job is created)")
      ->check(CLI::Range(1, 5000));
  cmd->add_option("--days", o->days, "Days of demo history per product (with --products)")
      ->capture_default_str()
      ->check(CLI::Range(1, 20000));
  cmd->add_option("--job", o->job, "Watch this existing job instead of starting one");
  cmd->add_flag("--gate", o->gate,
                "With --products: queue a gate job first and cancel it once every client "
                "joined, so all join before the first event (needs a service with "
                "--max-concurrent-jobs 1)");
  cmd->add_option("--release-job", o->release_jobs,
                  "With --job: cancel this job once every client joined (a gate you queued; "
                  "repeatable)");
  cmd->add_option("--source-ips", o->source_ips,
                  "Bind clients to 127.0.0.1..127.0.0.K (K × the local port range connections)")
      ->check(CLI::Range(0, 254));
  cmd->add_option("--pid", o->pids,
                  "Server process to measure (repeatable): peak RSS and RSS per connection");
  cmd->add_flag("--json", o->json, "Print one JSON object instead of a summary");
  cmd->add_option("--connect-rate", o->connect_rate, "New connections per second (0: no limit)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e7));
  cmd->add_option("--concurrency", o->concurrency, "Connects and upgrades in flight at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  cmd->add_option("--timeout", o->timeout_s, "Seconds before everything still open is closed")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  cmd->add_option("--hold", o->hold_s,
                  "Seconds to keep the connections once all joined, then close them (idle "
                  "connection measurements) instead of waiting for the job to end")
      ->check(CLI::Range(0.0, 3600.0));
  cmd->add_option("--threads", o->threads, "I/O threads of the load generator")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  cmd->add_option("--latency-out", o->latency_out,
                  "Write every latency sample (microseconds, ascending, one per line) to this "
                  "file: several bench processes' files merge into exact percentiles");
  cmd->add_option("--joined-file", o->joined_file,
                  "Create this file once every client joined or failed (to release a job "
                  "watched by several bench processes at once)");
  env_from_flags(*cmd);
  cmd->callback([&run, o, transport] {
    o->sse = *transport == LiveTransport::sse;
    run = [o] { return loadgen::run_bench(*o, std::cout, std::cerr); };
  });
}

void add_bench_publish_command(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand(
      "bench-publish",
      "Publish a synthetic training job's events on the RabbitMQ bus at a steady rate, for an "
      "existing pending job (docs/benchmarks.md): fan-out measurements without training on the "
      "same cores. Exit 0 all confirmed by the broker, 1 not all confirmed, 2 setup error");
  auto o = std::make_shared<loadgen::PublishOptions>();
  cmd->add_option("--amqp-url", o->amqp_url, "Broker, amqp://user:pass@127.0.0.1:5672/")
      ->required();
  cmd->add_option("--tenant", o->tenant, "Tenant (bakery) id of the job")->required();
  cmd->add_option("--job", o->job, "The job's id (created on the replica, still pending)")
      ->required();
  cmd->add_option("--events", o->events,
                  "Events to publish: started, the analysis, E-3 products, completed")
      ->capture_default_str()
      ->check(CLI::Range(3, 10000000));
  cmd->add_option("--rate", o->rate, "Events per second")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 1e6));
  cmd->add_option("--threads", o->threads, "Fit threads the events' in_flight lists show")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  cmd->add_option("--connect-timeout", o->connect_timeout_s,
                  "Seconds to wait for the broker, and for its confirms at the end")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  cmd->add_flag("--json", o->json, "Print one JSON object instead of a sentence");
  env_from_flags(*cmd);
  cmd->callback([&run, o] {
    run = [o] {
      // The bus logs its connections; stdout is for the report (--json).
      spdlog::set_default_logger(spdlog::stderr_color_mt("levain-bench-publish"));
      spdlog::set_level(spdlog::level::warn);
      return loadgen::run_publish(*o, std::cout, std::cerr);
    };
  });
}

}  // namespace levain::cli
