#include "training/service.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <thread>

#include "bus/in_process_bus.hpp"
#include "bus/rabbitmq_bus.hpp"
#include "common/heap_stats.hpp"
#include "training/data_dir_lock.hpp"
#include "training/live/event_fanout.hpp"
#include "training/live/presence.hpp"
#include "training/live/shard_delivery.hpp"
#include "training/live/store_check.hpp"
#include "training/store/open_store.hpp"

namespace levain::training {

namespace net = boost::asio;

struct TrainingService::Parts {
  explicit Parts(ServiceConfig c)
      : config(with_replica_defaults(std::move(c))),
        data_lock(lock_embedded_store(config)),
        verifier(config.auth),
        store(open_store(config.database_url, config.data_dir)),
        bus(make_bus(config.amqp, metrics)),
        manager(config.resume, config.presence_ttl, config.live_check),
        fanout(*bus, manager, metrics),
        runner(*store, *bus, metrics, config.runner),
        api(config.api, verifier, *store, *bus, runner, manager, config.live, metrics),
        io(config.io_threads),
        delivery(io, metrics.histogram("levain_fanout_seconds",
                                       "From an event's arrival off the bus until its last local "
                                       "watcher's send was handed to the kernel",
                                       kFanoutBuckets)),
        server(io, api, config.http, metrics),
        presence(*bus, manager, runner.replica_id(), io.context(0).get_executor()),
        store_check(
            manager, io.context(0).get_executor(),
            [this](const std::string& tenant, const std::string& job, auto done) {
              api.load_snapshot(tenant, job, std::move(done));
            },
            metrics),
        sender(*store, runner.replica_id(), config.webhooks, metrics) {
    manager.set_dispatch(&delivery);
    api.set_io(io);
    common::register_heap_metrics(metrics);
    metrics.sampled_counter("levain_store_errors_total",
                            "Store operations that failed with a database error (PostgreSQL: "
                            "connect, a busy pool, a statement; 0 on SQLite)",
                            [s = store.get()] { return static_cast<std::int64_t>(s->errors()); });
  }

  // 50 µs to 10 s: a fan-out to one watcher takes microseconds; to 10,000, milliseconds.
  static inline const std::vector<double> kFanoutBuckets = {
      0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 10};

  // The embedded store belongs to one process, so its runner keeps one replica id across
  // restarts and fails the jobs it was running at once ("interrupted by restart"), instead of
  // waiting for their leases to run out. Shared stores get a fresh id per process.
  static ServiceConfig with_replica_defaults(ServiceConfig c) {
    if (c.database_url.empty() && c.runner.replica_id.empty()) c.runner.replica_id = "embedded";
    return c;
  }

  // Taken before the store is opened: a second process must not even run recovery on it. A
  // shared store needs no lock; its job leases arbitrate between replicas.
  static std::unique_ptr<DataDirLock> lock_embedded_store(const ServiceConfig& c) {
    if (!c.database_url.empty()) return nullptr;
    if (c.runner.max_concurrent_jobs == 0) {
      spdlog::warn(
          "fan-out only over a store of its own: jobs created here stay pending; only "
          "events published on the bus (levain bench-publish) reach their watchers");
    }
    return std::make_unique<DataDirLock>(c.data_dir);
  }

  static std::unique_ptr<bus::EventBus> make_bus(const bus::RabbitMqConfig& amqp,
                                                 common::MetricsRegistry& metrics) {
    if (amqp.url.empty()) return std::make_unique<bus::InProcessBus>();
    spdlog::info("event bus: RabbitMQ, exchange {}", amqp.exchange);
    return std::make_unique<bus::RabbitMqBus>(amqp, metrics);
  }

  ServiceConfig config;
  std::unique_ptr<DataDirLock> data_lock;
  common::MetricsRegistry metrics;
  auth::TokenVerifier verifier;
  std::unique_ptr<Store> store;
  std::unique_ptr<bus::EventBus> bus;
  ConnectionManager manager;
  EventFanout fanout;
  JobRunner runner;
  api::TrainingApi api;
  // After everything a session touches (the manager, the API): the contexts destroy the handlers
  // still queued, and with them the last sessions, first.
  common::IoPool io;
  ShardDelivery delivery;
  common::http::HttpServer server;
  WatcherPresence presence;
  StoreCheck store_check;  // its reads run on the API's workers, joined in stop()
  webhooks::Sender sender;
  bool stopped = false;
};

TrainingService::TrainingService(ServiceConfig config)
    : parts_(std::make_unique<Parts>(std::move(config))) {}

TrainingService::~TrainingService() { stop(); }

Store& TrainingService::store() { return *parts_->store; }

net::ip::tcp::endpoint TrainingService::start() {
  auto& p = *parts_;
  p.runner.recover();
  const auto ep = p.server.listen(p.config.host, p.config.port);
  p.presence.start();
  p.store_check.start();
  p.sender.start();
  p.io.run();
  return ep;
}

void TrainingService::stop() {
  auto& p = *parts_;
  if (p.stopped) return;
  p.stopped = true;
  p.api.set_draining();
  p.server.stop();
  // Watchers first, so they hear 1001 (reconnect later) rather than the job's failure; the job's
  // end is in the store for the next snapshot they read.
  p.manager.shutdown_all(1001, "server shutting down");
  // No more bus events into sessions: a RabbitMQ consumer would keep bringing other replicas'.
  p.fanout.stop();
  p.presence.stop();
  p.store_check.stop();
  p.runner.shutdown("interrupted: server shutting down");
  p.sender.stop();  // deliveries not made yet stay in the store for the next start
  // Let the close handshakes finish so clients read 1001, not a dropped connection; a peer that
  // does not answer is cut at the deadline.
  const auto deadline = std::chrono::steady_clock::now() + p.config.shutdown_grace;
  while (p.api.live_sessions() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  p.api.join();
  p.io.stop();
  spdlog::info("training service stopped");
}

}  // namespace levain::training
