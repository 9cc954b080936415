#pragma once
/// Maps a request line to one of the service's routes (DESIGN.md §2 REST paths). Pure and
/// allocation-light, so it can be unit-tested and fuzzed without a server.

#include <boost/beast/http/verb.hpp>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include "common/http/methods.hpp"

namespace levain::training::api {

enum class Route {
  healthz,
  readyz,
  metrics,
  sales,               // GET stored history or summary, POST upload (CSV)
  jobs,                // GET list, POST start
  job,                 // GET
  job_cancel,          // POST
  job_live,            // GET + WebSocket upgrade
  forecasts,           // GET
  models,              // GET
  holidays,            // GET list, PUT replace (CSV date,holiday)
  webhooks,            // GET list (no secrets), PUT replace (JSON)
  webhook_deliveries,  // GET
  products,            // GET economics, PUT replace (CSV) or the default share (JSON)
  bake_plan,           // GET (JSON, or CSV with Accept: text/csv)
  model_versions,      // GET the kept versions of one product's model
  model_rollback,      // POST {"version": n}
  accuracy,            // GET served forecasts checked against the sales of their days
  openapi,             // GET the API's OpenAPI document
  not_found,
  bad_target,  // unparseable target or an invalid tenant/job id
};

struct RouteMatch {
  Route route = Route::not_found;
  bool method_allowed = false;
  std::string allowed_methods;  // for 405's Allow header
  std::string tenant;
  std::string job_id;
  std::string product;                       // of /models/{product}/…, percent-decoded
  std::map<std::string, std::string> query;  // percent-decoded; the last value of a repeated key
  std::string error;                         // why the target is bad, for bad_target
};

/// Tenant and job ids: 1–64 of [A-Za-z0-9._-], so they are safe in paths, logs and keys.
bool valid_id(std::string_view id);

/// One path of the API. In `path`, {tenant_id}, {job_id} and {product} stand for one segment
/// each (checked as a tenant id, a job id, a UTF-8 name). match_route is this table, and the
/// OpenAPI document is checked against it (tests/unit/training/api/openapi_test.cpp).
struct RouteSpec {
  std::string_view path;
  common::http::Methods methods;  // HEAD goes wherever GET does
  Route route;
};

std::span<const RouteSpec> route_table();

RouteMatch match_route(boost::beast::http::verb method, std::string_view target);

/// The integer query parameter `name` in [lo, hi], `fallback` when absent; a 400 ApiError
/// naming the range otherwise.
int int_param(const RouteMatch& route, const std::string& name, int fallback, int lo, int hi);

}  // namespace levain::training::api
