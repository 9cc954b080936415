#include "training/api/training_api.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/beast/http/field.hpp>
#include <chrono>

#include "common/close_codes.hpp"
#include "common/http/methods.hpp"
#include "common/http/openapi.hpp"
#include "common/live/max_rate.hpp"
#include "common/ws/handshake.hpp"
#include "training/jobs/job_json.hpp"

namespace levain::training::api {

namespace net = boost::asio;
using common::http::ApiError;
using common::http::Request;
using common::http::Response;
using common::http::Status;

TrainingApi::TrainingApi(ApiConfig config, const auth::TokenVerifier& verifier, Store& store,
                         bus::EventBus& bus, JobRunner& runner, ConnectionManager& manager,
                         common::live::Limits live, common::MetricsRegistry& metrics)
    : config_(config),
      webhook_allow_(config_.webhook_allow),
      verifier_(verifier),
      store_(store),
      bus_(bus),
      runner_(runner),
      metrics_(metrics),
      live_{manager,
            nullptr,
            [this](const std::string& tenant, const std::string& job_id, auto done) {
              snapshots_.load(tenant, job_id, std::move(done));
            },
            live,
            metrics.gauge("levain_ws_sessions", "Open live sessions (WebSocket and event stream)"),
            metrics.counter("levain_ws_events_delivered_total", "Events written to live clients"),
            metrics.counter("levain_ws_slow_consumer_closed_total",
                            "Sessions closed with 1008 because their send queue overflowed"),
            metrics.gauge("levain_ws_send_queue_bytes", "Bytes queued for live clients"),
            [this](const std::string& tenant) {
              const auto& limits = config_.quotas.for_tenant(tenant);
              return WatcherCaps{static_cast<std::size_t>(limits.watchers_per_job),
                                 static_cast<std::size_t>(limits.watchers_per_tenant)};
            }},
      errors_4xx_(metrics.counter("levain_http_responses_total", "HTTP responses by class",
                                  R"(class="4xx")")),
      errors_5xx_(metrics.counter("levain_http_responses_total", "", R"(class="5xx")")),
      upgrades_refused_(
          metrics.counter("levain_ws_refused_total", "WebSocket upgrades refused (4001/4003)")),
      workers_(std::max(1u, config.request_threads)),
      snapshots_(workers_.get_executor(),
                 [this](const std::string& tenant, const std::string& job) {
                   return store_.get_job(tenant, job);
                 }) {}

TrainingApi::~TrainingApi() { join(); }

void TrainingApi::join() { workers_.join(); }

void TrainingApi::handle(Request&& request, common::http::Responder respond) {
  auto route = match_route(request.method(), request.target());
  // Probes answer on the I/O thread: they must work even when the workers are saturated.
  if (route.method_allowed && route.route == Route::healthz) {
    return respond(common::http::json_response(Status::ok, {{"status", "ok"}}));
  }
  if (route.method_allowed && route.route == Route::metrics) {
    return respond(
        common::http::text_response(Status::ok, metrics_.render(), "text/plain; version=0.0.4"));
  }
  if (route.method_allowed && route.route == Route::openapi) {
    return respond(common::http::openapi_response());
  }
  net::post(workers_, [this, request = std::move(request), route = std::move(route),
                       respond = std::move(respond)]() mutable {
    Response res;
    try {
      res = dispatch(request, route);
    } catch (const ApiError& e) {
      res = common::http::error_response(e.status(), e.code(), e.what(), 11, true, e.extra());
      // A quota's refusal says when to come back, in the header clients and proxies read.
      if (const auto* after = e.extra().if_contains("retry_after_s");
          after && after->is_int64() && after->as_int64() > 0) {
        res.set(boost::beast::http::field::retry_after, std::to_string(after->as_int64()));
      }
    } catch (const std::exception& e) {
      spdlog::error("{} {}: {}", std::string(request.method_string()),
                    std::string(request.target()), e.what());
      res = common::http::error_response(Status::internal_server_error, "internal_error",
                                         "the server failed to handle the request; see its log");
    }
    const auto code = static_cast<unsigned>(res.result());
    if (code >= 500) {
      errors_5xx_.inc();
    } else if (code >= 400) {
      errors_4xx_.inc();
    }
    // The gateway's id (or the client's, or a fresh one) ties the two hops' logs together.
    const auto id = common::http::request_id_of(request);
    spdlog::info("request {}: {} {} -> {}", id, std::string(request.method_string()),
                 std::string(request.target().substr(0, 200)), code);
    res.set("X-Request-Id", id);
    respond(std::move(res));
  });
}

Response TrainingApi::dispatch(const Request& req, const RouteMatch& route) {
  if (route.route == Route::bad_target)
    throw ApiError(Status::bad_request, "bad_request", route.error);
  if (route.route == Route::not_found) {
    throw ApiError(Status::not_found, "not_found", "no such endpoint");
  }
  if (!route.method_allowed) {
    return common::http::method_not_allowed(req.method_string(), route.allowed_methods);
  }
  using boost::beast::http::verb;
  switch (route.route) {
    case Route::readyz: {
      // Each part read once, so the body says why a 503 is one.
      const bool bus = bus_.healthy();
      const bool store = store_.healthy();
      const bool draining = draining_.load();
      const bool ready = !draining && bus && store;
      return common::http::json_response(
          ready ? Status::ok : Status::service_unavailable,
          {{"ready", ready}, {"bus", bus}, {"store", store}, {"draining", draining}});
    }
    case Route::sales:
      return req.method() == verb::post ? upload_sales(req, route) : read_sales(req, route);
    case Route::jobs:
      return req.method() == verb::post ? start_job(req, route) : list_jobs(req, route);
    case Route::job:
      return get_job(req, route);
    case Route::job_cancel:
      return cancel_job(req, route);
    case Route::forecasts:
      return forecasts(req, route);
    case Route::models:
      return models(req, route);
    case Route::holidays:
      return req.method() == verb::put ? put_holidays(req, route) : get_holidays(req, route);
    case Route::webhooks:
      return req.method() == verb::put ? put_webhooks(req, route) : get_webhooks(req, route);
    case Route::webhook_deliveries:
      return webhook_deliveries(req, route);
    case Route::products:
      return req.method() == verb::put ? put_products(req, route) : get_products(req, route);
    case Route::bake_plan:
      return bake_plan(req, route);
    case Route::model_versions:
      return model_versions(req, route);
    case Route::model_rollback:
      return model_rollback(req, route);
    case Route::accuracy:
      return accuracy(req, route);
    case Route::job_live:
      throw ApiError(
          Status::upgrade_required, "upgrade_required",
          "this endpoint is live: open it as a WebSocket, or with Accept: text/event-stream");
    default:
      throw ApiError(Status::not_found, "not_found", "no such endpoint");
  }
}

auth::Claims TrainingApi::authorize(const Request& req, const RouteMatch& route,
                                    bool needs_trainer) const {
  const auto token = auth::extract_token(req[boost::beast::http::field::authorization], "");
  if (!token) {
    throw ApiError(Status::unauthorized, "unauthorized",
                   "missing token: send Authorization: Bearer <JWT>");
  }
  auto result = verifier_.verify(*token, std::chrono::system_clock::now());
  if (!result) throw ApiError(Status::unauthorized, "unauthorized", result.message);
  if (!result.claims->grants(route.tenant)) {
    throw ApiError(Status::forbidden, "forbidden",
                   "the token does not grant access to tenant '" + route.tenant + "'");
  }
  if (needs_trainer && !result.claims->has_role("trainer")) {
    throw ApiError(Status::forbidden, "forbidden",
                   "this action needs the 'trainer' role, which the token does not have");
  }
  return std::move(*result.claims);
}

bool TrainingApi::takes_over(const Request& request) const {
  const auto route = match_route(request.method(), request.target());
  return route.route == Route::job_live && route.method_allowed;
}

void TrainingApi::take_over(boost::beast::tcp_stream&& stream, Request&& request,
                            common::http::SlotPtr slot) {
  auto route = match_route(request.method(), request.target());
  const auto max_rate = common::live::max_rate_of(request.target());
  if (!max_rate.error.empty()) {
    // Answered in HTTP, like a malformed handshake: nothing was opened yet to close.
    return common::ws::refuse_upgrade(
        std::move(stream),
        common::http::error_response(Status::bad_request, "invalid_request", max_rate.error,
                                     request.version(), false),
        std::move(slot), live_.limits.handshake_timeout);
  }
  WatchRequest watch;
  watch.max_rate = max_rate.value;
  const auto q = route.query.find("token");
  const auto token = auth::extract_token(request[boost::beast::http::field::authorization],
                                         q == route.query.end() ? "" : q->second);
  if (!token) {
    watch.refusal = std::make_unique<Refusal>(Refusal{close_code::unauthorized, "missing token"});
  } else if (auto result = verifier_.verify(*token, std::chrono::system_clock::now()); !result) {
    watch.refusal = std::make_unique<Refusal>(Refusal{close_code::unauthorized, result.message});
  } else if (!result.claims->grants(route.tenant)) {
    watch.refusal = std::make_unique<Refusal>(
        Refusal{close_code::forbidden, "tenant not granted by the token"});
  }
  if (watch.refusal) upgrades_refused_.inc();
  const auto since = route.query.find("since");
  watch.since = resume_point(request, since == route.query.end() ? "" : since->second);
  watch.tenant = std::move(route.tenant);
  watch.job_id = std::move(route.job_id);
  start_live_session(live_, std::move(stream), std::move(request), std::move(slot),
                     std::move(watch));
}

void TrainingApi::enforce(const std::optional<QuotaRefusal>& refusal) {
  if (!refusal) return;
  const auto& r = *refusal;
  throw ApiError(
      Status::too_many_requests, "quota_exceeded", r.message,
      {{"limit", r.limit},
       {"value", r.value},
       {"used", r.used},
       {"resets_at", r.resets_at_us > 0 ? boost::json::value(iso8601_micros(r.resets_at_us))
                                        : boost::json::value(nullptr)},
       {"retry_after_s", r.retry_after_s}});
}

}  // namespace levain::training::api
