#include "training/api/router.hpp"

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

RouteMatch of(Route r) {
  RouteMatch m;
  m.route = r;
  return m;
}

RouteMatch bad(std::string why) {
  RouteMatch m;
  m.route = Route::bad_target;
  m.error = std::move(why);
  return m;
}

}  // namespace

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

  using V = http::verb;
  const auto n = seg.size();
  if (n == 1 && seg[0] == "healthz") return with_method(of(Route::healthz), method, {V::get});
  if (n == 1 && seg[0] == "readyz") return with_method(of(Route::readyz), method, {V::get});
  if (n == 1 && seg[0] == "metrics") return with_method(of(Route::metrics), method, {V::get});

  if (n < 4 || seg[0] != "api" || seg[1] != "v1" || seg[2] != "tenants") return m;
  if (!valid_id(seg[3])) return bad("invalid tenant id (1-64 characters of A-Z a-z 0-9 . _ -)");
  m.tenant = seg[3];
  if (n == 5 && seg[4] == "sales") {
    m.route = Route::sales;
    return with_method(std::move(m), method, {V::get, V::post});
  }
  if (n == 5 && seg[4] == "forecasts") {
    m.route = Route::forecasts;
    return with_method(std::move(m), method, {V::get});
  }
  if (n == 5 && seg[4] == "models") {
    m.route = Route::models;
    return with_method(std::move(m), method, {V::get});
  }
  if (n == 5 && seg[4] == "holidays") {
    m.route = Route::holidays;
    return with_method(std::move(m), method, {V::get, V::put});
  }
  if (n == 5 && seg[4] == "webhooks") {
    m.route = Route::webhooks;
    return with_method(std::move(m), method, {V::get, V::put});
  }
  if (n == 5 && seg[4] == "products") {
    m.route = Route::products;
    return with_method(std::move(m), method, {V::get, V::put});
  }
  if (n == 5 && seg[4] == "bake-plan") {
    m.route = Route::bake_plan;
    return with_method(std::move(m), method, {V::get});
  }
  if (n == 5 && seg[4] == "accuracy") {
    m.route = Route::accuracy;
    return with_method(std::move(m), method, {V::get});
  }
  if (n == 7 && seg[4] == "models" && (seg[6] == "versions" || seg[6] == "rollback")) {
    if (seg[5].empty() || !common::valid_utf8(seg[5])) return bad("invalid product name");
    m.product = seg[5];
    const bool versions = seg[6] == "versions";
    m.route = versions ? Route::model_versions : Route::model_rollback;
    return with_method(std::move(m), method, {versions ? V::get : V::post});
  }
  if (n == 6 && seg[4] == "webhooks" && seg[5] == "deliveries") {
    m.route = Route::webhook_deliveries;
    return with_method(std::move(m), method, {V::get});
  }
  if (n < 6 || seg[4] != "training" || seg[5] != "jobs") {
    m.tenant.clear();
    return m;
  }
  if (n == 6) {
    m.route = Route::jobs;
    return with_method(std::move(m), method, {V::get, V::post});
  }
  if (!valid_id(seg[6])) return bad("invalid job id");
  m.job_id = seg[6];
  if (n == 7) {
    m.route = Route::job;
    return with_method(std::move(m), method, {V::get});
  }
  if (n == 8 && seg[7] == "cancel") {
    m.route = Route::job_cancel;
    return with_method(std::move(m), method, {V::post});
  }
  if (n == 8 && seg[7] == "live") {
    m.route = Route::job_live;
    return with_method(std::move(m), method, {V::get});
  }
  return RouteMatch{};
}

}  // namespace levain::training::api
