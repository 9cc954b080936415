#pragma once
/// The training service assembled from its parts, with explicit wiring: store, bus, connection
/// manager, event fan-out, job runner, HTTP edge and I/O threads are built here in dependency order
/// and stopped in reverse (DESIGN.md §3 shutdown).

#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <string>

#include "auth/token.hpp"
#include "bus/rabbitmq_config.hpp"
#include "common/http/server.hpp"
#include "training/api/training_api.hpp"
#include "training/live/live_session.hpp"
#include "training/runner/runner.hpp"
#include "training/webhooks/sender.hpp"

namespace levain::training {

struct ServiceConfig {
  std::string host = "127.0.0.1";
  unsigned short port = 8081;
  std::string data_dir = "levain-data";
  /// Shared PostgreSQL store when set (postgresql://…, several replicas); SQLite in data_dir
  /// otherwise.
  std::string database_url;
  auth::VerifierConfig auth;
  unsigned io_threads = 2;
  RunnerConfig runner;
  common::live::Limits live;
  ResumeLimits resume;
  std::chrono::seconds presence_ttl{15};  // another replica's watchers count until then
  /// A watched job quiet this long is read from the store (training/live/quiet_jobs.hpp).
  std::chrono::milliseconds live_check{10000};
  webhooks::SenderConfig webhooks;  // .allow is also api.webhook_allow
  api::ApiConfig api;
  common::http::ServerLimits http;
  std::chrono::seconds shutdown_grace{5};
  /// Events over RabbitMQ when amqp.url is set (several replicas); in-process otherwise.
  bus::RabbitMqConfig amqp;
};

class TrainingService {
 public:
  explicit TrainingService(ServiceConfig config);
  ~TrainingService();

  /// Binds, recovers interrupted jobs, starts the I/O threads; returns the bound endpoint.
  boost::asio::ip::tcp::endpoint start();
  /// Graceful shutdown: stop accepting, close sessions with 1001, end running jobs as failed,
  /// flush the store. Idempotent.
  void stop();

  Store& store();

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace levain::training
