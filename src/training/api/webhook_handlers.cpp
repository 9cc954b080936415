// The webhook routes (docs/webhooks.md): PUT/GET a tenant's webhooks, GET the deliveries with
// every attempt's outcome. Secrets go in and are never shown back.
#include <boost/json/parse.hpp>

#include "training/api/training_api.hpp"
#include "training/jobs/job_json.hpp"

namespace levain::training::api {

using common::http::ApiError;
using common::http::Request;
using common::http::Response;
using common::http::Status;

namespace {

boost::json::array listed(const std::vector<Webhook>& hooks) {
  boost::json::array out;
  for (const auto& h : hooks) {
    boost::json::array events;
    for (const auto& e : h.events) events.emplace_back(e);
    out.push_back({{"url", h.url}, {"events", std::move(events)}, {"secret", "(set)"}});
  }
  return out;
}

boost::json::value time_or_null(std::int64_t us) {
  return us == 0 ? boost::json::value(nullptr) : boost::json::value(iso8601_micros(us));
}

}  // namespace

Response TrainingApi::put_webhooks(const Request& req, const RouteMatch& route) {
  authorize(req, route, /*needs_trainer=*/true);
  boost::system::error_code ec;
  const auto body = boost::json::parse(req.body(), ec);
  if (ec) throw ApiError(Status::bad_request, "invalid_json", "body is not JSON: " + ec.message());
  std::vector<Webhook> hooks;
  try {
    hooks = webhooks::parse_webhooks(body, webhook_allow_);
  } catch (const std::invalid_argument& e) {
    throw ApiError(Status::unprocessable_entity, "invalid_webhooks",
                   std::string(e.what()) + "; nothing was changed");
  }
  store_.replace_webhooks(route.tenant, hooks);
  return common::http::json_response(Status::ok, {{"webhooks", listed(hooks)}});
}

Response TrainingApi::get_webhooks(const Request& req, const RouteMatch& route) {
  authorize(req, route, false);
  return common::http::json_response(Status::ok,
                                     {{"webhooks", listed(store_.load_webhooks(route.tenant))}});
}

Response TrainingApi::webhook_deliveries(const Request& req, const RouteMatch& route) {
  authorize(req, route, false);
  const auto limit = int_param(route, "limit", 50, 1, 500);
  boost::json::array out;
  for (const auto& d : store_.list_deliveries(route.tenant, static_cast<std::size_t>(limit))) {
    out.push_back({{"id", d.id},
                   {"job_id", d.job_id},
                   {"event", d.event},
                   {"url", d.url},
                   {"status", d.status},
                   {"attempts", d.attempts},
                   {"last_status", d.last_status == 0 ? boost::json::value(nullptr)
                                                      : boost::json::value(d.last_status)},
                   {"last_error", d.last_error.empty() ? boost::json::value(nullptr)
                                                       : boost::json::value(d.last_error)},
                   {"next_try", d.status == "pending" ? time_or_null(d.next_at_us) : nullptr},
                   {"created_at", time_or_null(d.created_at_us)},
                   {"last_attempt_at", time_or_null(d.last_attempt_us)}});
  }
  return common::http::json_response(Status::ok, {{"deliveries", std::move(out)}});
}

}  // namespace levain::training::api
