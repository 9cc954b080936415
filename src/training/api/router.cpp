#include "training/api/router.hpp"

#include <algorithm>
#include <boost/url/parse.hpp>
#include <vector>

#include "common/http/methods.hpp"
#include "common/ids.hpp"
#include "common/utf8.hpp"

namespace levain::training::api {

namespace http = boost::beast::http;

bool valid_id(std::string_view id) { return common::valid_id(id); }

namespace {

RouteMatch with_method(RouteMatch m, http::verb method, common::http::Methods allowed) {
  m.method_allowed = common::http::method_allowed(method, allowed);
  m.allowed_methods = common::http::allow_header(allowed);
  return m;
}

RouteMatch bad(std::string why) {
  RouteMatch m;
  m.route = Route::bad_target;
  m.error = std::move(why);
  return m;
}

using V = http::verb;

constexpr RouteSpec kRoutes[] = {
    {"/healthz", {V::get}, Route::healthz},
    {"/readyz", {V::get}, Route::readyz},
    {"/metrics", {V::get}, Route::metrics},
    {"/api/v1/openapi.json", {V::get}, Route::openapi},
    {"/api/v1/tenants/{tenant_id}/sales", {V::get, V::post}, Route::sales},
    {"/api/v1/tenants/{tenant_id}/forecasts", {V::get}, Route::forecasts},
    {"/api/v1/tenants/{tenant_id}/models", {V::get}, Route::models},
    {"/api/v1/tenants/{tenant_id}/models/{product}/versions", {V::get}, Route::model_versions},
    {"/api/v1/tenants/{tenant_id}/models/{product}/rollback", {V::post}, Route::model_rollback},
    {"/api/v1/tenants/{tenant_id}/holidays", {V::get, V::put}, Route::holidays},
    {"/api/v1/tenants/{tenant_id}/webhooks", {V::get, V::put}, Route::webhooks},
    {"/api/v1/tenants/{tenant_id}/webhooks/deliveries", {V::get}, Route::webhook_deliveries},
    {"/api/v1/tenants/{tenant_id}/products", {V::get, V::put}, Route::products},
    {"/api/v1/tenants/{tenant_id}/bake-plan", {V::get}, Route::bake_plan},
    {"/api/v1/tenants/{tenant_id}/accuracy", {V::get}, Route::accuracy},
    {"/api/v1/tenants/{tenant_id}/training/jobs", {V::get, V::post}, Route::jobs},
    {"/api/v1/tenants/{tenant_id}/training/jobs/{job_id}", {V::get}, Route::job},
    {"/api/v1/tenants/{tenant_id}/training/jobs/{job_id}/cancel", {V::post}, Route::job_cancel},
    {"/api/v1/tenants/{tenant_id}/training/jobs/{job_id}/live", {V::get}, Route::job_live},
};

// Walks the template's parts beside the request's segments, calling on_param(part, value) for
// each placeholder; false when a literal part differs or the counts do. No allocation.
template <class OnParam>
bool walk(std::string_view path, const std::vector<std::string>& seg, OnParam&& on_param) {
  std::size_t i = 0;
  for (std::size_t at = 1; at <= path.size(); ++i) {
    const auto next = std::min(path.find('/', at), path.size());
    const auto part = path.substr(at, next - at);
    if (i >= seg.size()) return false;
    if (part.starts_with('{')) {
      on_param(part, seg[i]);
    } else if (part != seg[i]) {
      return false;
    }
    at = next + 1;
  }
  return i == seg.size();
}

}  // namespace

std::span<const RouteSpec> route_table() { return kRoutes; }

RouteMatch match_route(http::verb method, std::string_view target) {
  auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) return bad("request target is not a valid path");
  RouteMatch m;
  std::vector<std::string> seg;
  for (auto s : parsed->segments()) {
    if (seg.size() > 16) return bad("path has too many segments");
    seg.push_back(std::string(s));
  }
  for (auto p : parsed->params()) {
    if (m.query.size() >= 32) return bad("too many query parameters");
    std::string key(p.key);
    std::string value = p.has_value ? std::string(p.value) : std::string();
    // Every name the API stores was checked as UTF-8 on its way in, so such a value can match
    // nothing, and PostgreSQL refuses to even compare it (a 500 before this check).
    if (!common::valid_utf8(key)) return bad("a query parameter name is not valid UTF-8");
    if (!common::valid_utf8(value)) {
      return bad("query parameter '" + key + "' is not valid UTF-8 (percent-encode UTF-8 text)");
    }
    m.query[std::move(key)] = std::move(value);
  }

  if (seg.size() >= 4 && seg[0] == "api" && seg[1] == "v1" && seg[2] == "tenants" &&
      !valid_id(seg[3])) {
    return bad("invalid tenant id (1-64 characters of A-Z a-z 0-9 . _ -)");
  }
  for (const RouteSpec& spec : kRoutes) {
    if (!walk(spec.path, seg, [](std::string_view, const std::string&) {})) continue;
    std::string problem;
    walk(spec.path, seg, [&](std::string_view part, const std::string& value) {
      if (part == "{tenant_id}") {
        m.tenant = value;
      } else if (part == "{job_id}") {
        if (!valid_id(value)) problem = "invalid job id";
        m.job_id = value;
      } else if (part == "{product}") {
        if (value.empty() || !common::valid_utf8(value)) problem = "invalid product name";
        m.product = value;
      }
    });
    if (!problem.empty()) return bad(std::move(problem));
    m.route = spec.route;
    return with_method(std::move(m), method, spec.methods);
  }
  return m;
}

}  // namespace levain::training::api
