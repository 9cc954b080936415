#pragma once
/// The training service's HTTP edge: routes requests, checks tokens and tenant grants, runs
/// REST handlers off the I/O threads, turns domain errors into JSON errors in one place, and
/// hands `/live` (WebSocket upgrades and event streams) to a live session.

#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <memory>

#include "auth/token.hpp"
#include "bus/event_bus.hpp"
#include "common/http/server.hpp"
#include "common/metrics.hpp"
#include "training/api/live_accuracy.hpp"
#include "training/api/quota.hpp"
#include "training/api/router.hpp"
#include "training/live/live_session.hpp"
#include "training/live/snapshot_batcher.hpp"
#include "training/runner/runner.hpp"
#include "training/store/store.hpp"
#include "training/webhooks/webhook.hpp"

namespace levain::training::api {

struct ApiConfig {
  int max_products_per_job = 5000;
  int max_horizon_days = 365;
  unsigned request_threads = 2;  // REST handlers touch the store and parse CSV: not on I/O threads
  std::vector<std::string> webhook_allow;  // --webhook-allow: hosts/CIDRs webhook URLs may name
  QuotaConfig quotas;
};

class TrainingApi final : public common::http::RequestHandler {
 public:
  TrainingApi(ApiConfig config, const auth::TokenVerifier& verifier, Store& store,
              bus::EventBus& bus, JobRunner& runner, ConnectionManager& manager,
              common::live::Limits live, common::MetricsRegistry& metrics);
  ~TrainingApi() override;

  void handle(common::http::Request&& request, common::http::Responder respond) override;
  bool takes_over(const common::http::Request& request) const override;
  void take_over(boost::beast::tcp_stream&& stream, common::http::Request&& request,
                 common::http::SlotPtr slot) override;

  /// The I/O threads live sessions are accepted on (their shard for the fan-out).
  void set_io(common::IoPool& io) { live_.io = &io; }
  /// /readyz turns false; in-flight requests still finish.
  void set_draining() { draining_ = true; }
  /// Waits for queued REST handlers; call after the I/O threads stopped accepting.
  void join();
  /// The job as the joins read it (SnapshotBatcher, on the request workers): for StoreCheck.
  void load_snapshot(const std::string& tenant, const std::string& job_id,
                     SnapshotBatcher::Done done) {
    snapshots_.load(tenant, job_id, std::move(done));
  }
  /// WebSocket sessions still alive (their close handshake not yet finished).
  std::int64_t live_sessions() const { return live_.sessions.value(); }

 private:
  common::http::Response dispatch(const common::http::Request& request, const RouteMatch& route);
  auth::Claims authorize(const common::http::Request& request, const RouteMatch& route,
                         bool needs_trainer) const;

  common::http::Response upload_sales(const common::http::Request& req, const RouteMatch& route);
  common::http::Response read_sales(const common::http::Request& req, const RouteMatch& route);
  common::http::Response start_job(const common::http::Request& req, const RouteMatch& route);
  common::http::Response list_jobs(const common::http::Request& req, const RouteMatch& route);
  common::http::Response get_job(const common::http::Request& req, const RouteMatch& route);
  common::http::Response cancel_job(const common::http::Request& req, const RouteMatch& route);
  common::http::Response forecasts(const common::http::Request& req, const RouteMatch& route);
  common::http::Response models(const common::http::Request& req, const RouteMatch& route);
  common::http::Response put_holidays(const common::http::Request& req, const RouteMatch& route);
  common::http::Response get_holidays(const common::http::Request& req, const RouteMatch& route);
  common::http::Response put_webhooks(const common::http::Request& req, const RouteMatch& route);
  common::http::Response get_webhooks(const common::http::Request& req, const RouteMatch& route);
  common::http::Response webhook_deliveries(const common::http::Request& req,
                                            const RouteMatch& route);
  common::http::Response put_products(const common::http::Request& req, const RouteMatch& route);
  common::http::Response get_products(const common::http::Request& req, const RouteMatch& route);
  common::http::Response bake_plan(const common::http::Request& req, const RouteMatch& route);
  common::http::Response model_versions(const common::http::Request& req, const RouteMatch& route);
  common::http::Response model_rollback(const common::http::Request& req, const RouteMatch& route);
  common::http::Response all_forecasts(const common::http::Request& req, const RouteMatch& route);
  common::http::Response accuracy(const common::http::Request& req, const RouteMatch& route);
  /// Throws the 429 for a quota refusal (Retry-After from its retry_after_s), if any.
  static void enforce(const std::optional<QuotaRefusal>& refusal);
  /// The forecasts of the tenant's last `days` sales days checked against their sales.
  AccuracyReport accuracy_report(const std::string& tenant, int days = kDriftWindowDays,
                                 bool* truncated = nullptr);

  ApiConfig config_;
  webhooks::AllowList webhook_allow_;
  std::mutex start_mutex_;  // a start's check for a running job and its submit, as one step
  const auth::TokenVerifier& verifier_;
  Store& store_;
  bus::EventBus& bus_;
  JobRunner& runner_;
  common::MetricsRegistry& metrics_;
  LiveContext live_;
  common::Counter& errors_4xx_;
  common::Counter& errors_5xx_;
  common::Counter& upgrades_refused_;
  std::atomic<bool> draining_{false};
  boost::asio::thread_pool workers_;
  // Joins read their snapshots through it, on workers_ (joined before it is destroyed).
  SnapshotBatcher snapshots_;
};

}  // namespace levain::training::api
