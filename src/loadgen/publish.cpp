#include "loadgen/publish.hpp"

#include <stdlib.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <thread>

#include "bus/rabbitmq_bus.hpp"
#include "common/ids.hpp"
#include "common/json_text.hpp"
#include "common/metrics.hpp"
#include "training/events/progress_tracker.hpp"
#include "training/store/open_store.hpp"

namespace levain::loadgen {

namespace {

using Clock = std::chrono::steady_clock;

std::string validate(const PublishOptions& o) {
  if (o.amqp_url.empty()) return "--amqp-url is required";
  if (o.tenant.empty() || o.job.empty()) return "--tenant and --job are required";
  if (o.events < 3) return "--events is at least 3 (started, the analysis, completed)";
  if (!(o.rate > 0) || o.rate > 1e6) return "--rate is in (0, 1000000] events per second";
  if (o.threads == 0) return "--threads is at least 1";
  return {};
}

/// Hold-out accuracy that looks like a real product's, the same for the same index.
training::ProductResult result_for(std::size_t index, const std::string& name) {
  // A small multiplicative hash, not a random engine: every run publishes the same bodies.
  const double u = static_cast<double>((index * 2654435761u) % 1000) / 1000.0;
  training::ProductResult r;
  r.product = name;
  r.status = "succeeded";
  r.model = u < 0.1 ? "seasonal_naive" : "levain";
  r.fallback = u < 0.1;
  if (r.fallback) r.fallback_reason = "fewer than 56 days of history";
  r.metrics.mae = 2 + 6 * u;
  r.metrics.rmse = 3 + 8 * u;
  r.metrics.mape = 8 + 30 * u;
  r.metrics.smape = 7 + 25 * u;
  r.metrics.mase = 0.5 + u;
  r.fit_ms = 3 + 10 * u;
  return r;
}

/// A private store for the tracker (it saves the job before each publish), deleted at the end.
struct ScratchDir {
  ScratchDir() {
    char name[] = "/tmp/levain-bench-publish-XXXXXX";
    if (::mkdtemp(name) == nullptr) throw std::runtime_error("cannot create a scratch directory");
    path = name;
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  std::string path;
};

bool wait_for(const std::function<bool()>& done, Clock::time_point deadline) {
  while (!done()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace

int run_publish(const PublishOptions& o, std::ostream& out, std::ostream& err) {
  if (const auto problem = validate(o); !problem.empty()) {
    err << "levain bench-publish: " << problem << "\n";
    return 2;
  }
  common::MetricsRegistry metrics;
  bus::RabbitMqConfig config;
  config.url = o.amqp_url;
  config.outbox_limit = static_cast<std::size_t>(o.events) + 16;  // nothing is ever dropped
  std::unique_ptr<bus::RabbitMqBus> bus;
  ScratchDir scratch;
  std::unique_ptr<training::Store> store;
  try {
    bus = std::make_unique<bus::RabbitMqBus>(config, metrics);
    store = training::open_store("", scratch.path);
  } catch (const std::exception& e) {
    err << "levain bench-publish: " << e.what() << "\n";
    return 2;
  }
  const auto deadline = Clock::now() + std::chrono::seconds(o.connect_timeout_s);
  if (!wait_for([&] { return bus->publisher_connected(); }, deadline)) {
    err << "levain bench-publish: no connection to the broker within " << o.connect_timeout_s
        << " s\n";
    return 2;
  }

  const std::size_t products = static_cast<std::size_t>(o.events) - 3;
  std::vector<std::string> names;
  std::vector<std::size_t> rows(products, 365);
  for (std::size_t i = 0; i < products; ++i)
    names.push_back("Synthetic product " + std::to_string(i + 1));
  training::JobRecord record;
  record.job_id = o.job;
  record.tenant_id = o.tenant;
  record.created_at_us = common::now_micros();
  record.current_step = "Queued";
  store->create_job(record);
  auto& published = metrics.counter("levain_bench_published_total", "Synthetic events published");
  training::ProgressTracker tracker(record, *store, *bus, published);

  // Event i goes out at start + i / rate, whatever the previous one cost: a steady rate.
  const auto start = Clock::now();
  const auto at = [&](std::size_t i) {
    return start + std::chrono::duration_cast<Clock::duration>(
                       std::chrono::duration<double>(static_cast<double>(i) / o.rate));
  };
  const auto first_us = common::now_micros();
  std::size_t next = 0;
  const auto pace = [&] { std::this_thread::sleep_until(at(next++)); };
  pace();
  tracker.started(static_cast<int>(products));
  pace();
  tracker.analysed("Analysed " + std::to_string(products) + " synthetic products", {}, names, rows,
                   o.threads);
  for (std::size_t i = 0; i < std::min<std::size_t>(o.threads, products); ++i) {
    tracker.product_started(i, names[i]);
  }
  for (std::size_t i = 0; i < products; ++i) {
    pace();
    tracker.product_completed(i, result_for(i, names[i]));
    if (const auto n = i + o.threads; n < products) tracker.product_started(n, names[n]);
  }
  pace();
  tracker.completed();
  const auto last_us = common::now_micros();
  const double seconds = static_cast<double>(last_us - first_us) / 1e6;

  const bool confirmed = wait_for([&] { return bus->outbox_size() == 0; },
                                  Clock::now() + std::chrono::seconds(o.connect_timeout_s));
  boost::json::object report{
      {"job", o.job},
      {"events", o.events},
      {"rate", o.rate},
      {"achieved_rate", seconds > 0 ? std::round((o.events - 1) / seconds * 1000) / 1000 : 0.0},
      {"first_publish_unix_us", first_us},
      {"last_publish_unix_us", last_us},
      {"confirmed", confirmed},
  };
  if (o.json) {
    out << common::to_json_text(report) << "\n";
  } else {
    out << "published " << o.events << " events for job " << o.job << " in " << seconds << " s ("
        << report["achieved_rate"].as_double() << " events/s)"
        << (confirmed ? "" : "; the broker did not confirm them all") << "\n";
  }
  if (!confirmed) {
    err << "levain bench-publish: the broker did not confirm every event within "
        << o.connect_timeout_s << " s\n";
    return 1;
  }
  return 0;
}

}  // namespace levain::loadgen
