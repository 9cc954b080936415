// libFuzzer target for the training service's request router (src/training/api/router.hpp).
// Input: the first byte picks the HTTP method (modulo the number of Beast verbs), the rest is the
// request target. Oracles: nothing crashes or throws; a match is internally consistent (ids are
// valid and only on routes that carry them, errors only on bad targets, the Allow list matches
// the route and the method); matching is deterministic; and the canonical path rebuilt from a
// match routes to the same place with the same ids.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "training/api/router.hpp"

namespace levain::fuzz {
namespace {

namespace api = training::api;
namespace http = boost::beast::http;
using api::Route;

constexpr unsigned kVerbCount = static_cast<unsigned>(http::verb::unlink) + 1;
constexpr std::size_t kMaxQueryParams = 32;

void require(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "router_fuzz invariant violated: %s\n", what);
  std::abort();
}

bool has_tenant(Route route) {
  switch (route) {
    case Route::sales:
    case Route::jobs:
    case Route::job:
    case Route::job_cancel:
    case Route::job_live:
    case Route::forecasts:
    case Route::models:
      return true;
    default:
      return false;
  }
}

bool has_job(Route route) {
  return route == Route::job || route == Route::job_cancel || route == Route::job_live;
}

/// The path that names the same resource, built from the match alone.
std::string canonical_path(const api::RouteMatch& m) {
  const std::string tenant = "/api/v1/tenants/" + m.tenant;
  const std::string job = tenant + "/training/jobs/" + m.job_id;
  switch (m.route) {
    case Route::healthz:
      return "/healthz";
    case Route::readyz:
      return "/readyz";
    case Route::metrics:
      return "/metrics";
    case Route::sales:
      return tenant + "/sales";
    case Route::forecasts:
      return tenant + "/forecasts";
    case Route::models:
      return tenant + "/models";
    case Route::jobs:
      return tenant + "/training/jobs";
    case Route::job:
      return job;
    case Route::job_cancel:
      return job + "/cancel";
    case Route::job_live:
      return job + "/live";
    default:
      return {};
  }
}

bool id_ok(const std::string& id) {
  return !id.empty() && id.find('/') == std::string::npos && api::valid_id(id);
}

void check_consistent(const api::RouteMatch& m, http::verb method) {
  require((m.route == Route::bad_target) == !m.error.empty(),
          "an error is given exactly for bad targets");
  require(has_tenant(m.route) ? id_ok(m.tenant) : m.tenant.empty(),
          "a tenant id is valid and present exactly on tenant routes");
  require(has_job(m.route) ? id_ok(m.job_id) : m.job_id.empty(),
          "a job id is valid and present exactly on job routes");
  const bool routed = m.route != Route::not_found && m.route != Route::bad_target;
  require(routed == !m.allowed_methods.empty(), "an Allow list exists exactly for real routes");
  require(!m.method_allowed || routed, "only real routes allow a method");
  if (m.method_allowed) {
    const std::string_view name =
        http::to_string(method == http::verb::head ? http::verb::get : method);
    require(m.allowed_methods.find(name) != std::string::npos,
            "an allowed method is in the Allow list");
  }
  require(m.query.size() <= kMaxQueryParams, "the query map is bounded");
}

}  // namespace
}  // namespace levain::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace levain::fuzz;
  if (size == 0) return 0;
  const auto method = static_cast<http::verb>(data[0] % kVerbCount);
  const std::string_view target(reinterpret_cast<const char*>(data) + 1, size - 1);

  const api::RouteMatch m = api::match_route(method, target);
  check_consistent(m, method);

  const api::RouteMatch again = api::match_route(method, target);
  require(again.route == m.route && again.tenant == m.tenant && again.job_id == m.job_id &&
              again.method_allowed == m.method_allowed && again.query == m.query &&
              again.error == m.error,
          "matching is deterministic");

  const std::string path = canonical_path(m);
  if (!path.empty()) {
    const api::RouteMatch round = api::match_route(method, path);
    require(round.route == m.route && round.tenant == m.tenant && round.job_id == m.job_id &&
                round.method_allowed == m.method_allowed && round.query.empty(),
            "the canonical path of a match routes to the same resource");
  }
  return 0;
}
