#include "training/api/router.hpp"

#include <gtest/gtest.h>

using namespace levain::training::api;
using V = boost::beast::http::verb;

TEST(Router, MatchesEveryContractPath) {
  EXPECT_EQ(match_route(V::get, "/healthz").route, Route::healthz);
  EXPECT_EQ(match_route(V::get, "/readyz").route, Route::readyz);
  EXPECT_EQ(match_route(V::get, "/metrics").route, Route::metrics);
  EXPECT_EQ(match_route(V::post, "/api/v1/tenants/t1/sales").route, Route::sales);
  const auto sales = match_route(V::get, "/api/v1/tenants/t1/sales?product=Pan&from=2026-01-01");
  EXPECT_EQ(sales.route, Route::sales);
  EXPECT_TRUE(sales.method_allowed);
  EXPECT_EQ(sales.query.at("from"), "2026-01-01");
  EXPECT_EQ(match_route(V::post, "/api/v1/tenants/t1/training/jobs").route, Route::jobs);
  EXPECT_EQ(match_route(V::get, "/api/v1/tenants/t1/training/jobs").route, Route::jobs);
  const auto job = match_route(V::get, "/api/v1/tenants/t1/training/jobs/abc-123");
  EXPECT_EQ(job.route, Route::job);
  EXPECT_EQ(job.tenant, "t1");
  EXPECT_EQ(job.job_id, "abc-123");
  EXPECT_EQ(match_route(V::post, "/api/v1/tenants/t1/training/jobs/abc/cancel").route,
            Route::job_cancel);
  const auto live = match_route(V::get, "/api/v1/tenants/t1/training/jobs/abc/live?token=x.y.z");
  EXPECT_EQ(live.route, Route::job_live);
  EXPECT_EQ(live.query.at("token"), "x.y.z");
  const auto fc =
      match_route(V::get, "/api/v1/tenants/t1/forecasts?product=Pan%20de%20pueblo&days=7");
  EXPECT_EQ(fc.route, Route::forecasts);
  EXPECT_EQ(fc.query.at("product"), "Pan de pueblo");
  EXPECT_EQ(match_route(V::get, "/api/v1/tenants/t1/models").route, Route::models);
  EXPECT_EQ(match_route(V::put, "/api/v1/tenants/t1/products").route, Route::products);
  EXPECT_EQ(match_route(V::get, "/api/v1/tenants/t1/bake-plan?date=2026-12-03").route,
            Route::bake_plan);
  EXPECT_EQ(match_route(V::get, "/api/v1/tenants/t1/accuracy?days=60").route, Route::accuracy);
  EXPECT_FALSE(match_route(V::post, "/api/v1/tenants/t1/accuracy").method_allowed);
  const auto versions = match_route(V::get, "/api/v1/tenants/t1/models/Pan%20de%20pueblo/versions");
  EXPECT_EQ(versions.route, Route::model_versions);
  EXPECT_EQ(versions.product, "Pan de pueblo");
  EXPECT_TRUE(versions.method_allowed);
  const auto rollback = match_route(V::get, "/api/v1/tenants/t1/models/Pan/rollback");
  EXPECT_EQ(rollback.route, Route::model_rollback);
  EXPECT_FALSE(rollback.method_allowed);
  EXPECT_EQ(rollback.allowed_methods, "POST");
  EXPECT_EQ(match_route(V::get, "/api/v1/tenants/t1/models/%FF/versions").route, Route::bad_target);
  EXPECT_EQ(match_route(V::get, "/api/v1/tenants/t1/models/Pan/other").route, Route::not_found);
}

// The table is the router: every path of it, filled in, reaches its route with exactly its
// methods (and HEAD where GET is).
TEST(Router, EveryTableEntryRoutesWithExactlyItsMethods) {
  for (const RouteSpec& spec : route_table()) {
    std::string path(spec.path);
    for (const auto& [from, to] : {std::pair{"{tenant_id}", "t1"}, std::pair{"{job_id}", "j1"},
                                   std::pair{"{product}", "Pan"}}) {
      if (const auto at = path.find(from); at != std::string::npos) {
        path.replace(at, std::string_view(from).size(), to);
      }
    }
    for (const V method : {V::get, V::head, V::post, V::put, V::delete_, V::patch}) {
      const auto m = match_route(method, path);
      EXPECT_EQ(m.route, spec.route) << path;
      EXPECT_EQ(m.method_allowed, levain::common::http::method_allowed(method, spec.methods))
          << path;
    }
  }
  EXPECT_EQ(match_route(V::get, "/api/v1/openapi.json").route, Route::openapi);
}

TEST(Router, WrongMethodIsReportedWithTheAllowedOnes) {
  const auto m = match_route(V::delete_, "/api/v1/tenants/t1/training/jobs");
  EXPECT_EQ(m.route, Route::jobs);
  EXPECT_FALSE(m.method_allowed);
  EXPECT_EQ(m.allowed_methods, "GET, HEAD, POST");  // HEAD goes wherever GET does
  EXPECT_TRUE(match_route(V::head, "/healthz").method_allowed);
}

TEST(Router, UnknownPathsAreNotFound) {
  for (const auto* t :
       {"/", "/api", "/api/v1/tenants", "/api/v1/tenants/t1", "/api/v1/tenants/t1/nope",
        "/api/v2/tenants/t1/sales", "/api/v1/tenants/t1/training/jobs/j/live/more"}) {
    EXPECT_EQ(match_route(V::get, t).route, Route::not_found) << t;
  }
}

TEST(Router, BadIdsAndTargetsAreRefusedNotRouted) {
  EXPECT_EQ(match_route(V::get, "/api/v1/tenants/..%2F..%2Fetc/models").route, Route::bad_target);
  EXPECT_EQ(match_route(V::get, "/api/v1/tenants/../models").route, Route::bad_target);
  EXPECT_EQ(match_route(V::get, "/api/v1/tenants/" + std::string(65, 'a') + "/models").route,
            Route::bad_target);
  EXPECT_EQ(match_route(V::get, "/api/v1/tenants/t1/training/jobs/a%00b").route, Route::bad_target);
  EXPECT_EQ(match_route(V::get, "not a target").route, Route::bad_target);
  EXPECT_EQ(match_route(V::get, "http://example.com/healthz").route, Route::bad_target);
  EXPECT_FALSE(valid_id(""));
  EXPECT_TRUE(valid_id("demo-bakery_1.a"));
}

// Names are stored as UTF-8 only, so a query value that is not cannot name anything.
TEST(Router, QueryValuesMustBeUtf8) {
  const auto bad = match_route(V::get, "/api/v1/tenants/t1/forecasts?product=%FF");
  EXPECT_EQ(bad.route, Route::bad_target);
  EXPECT_EQ(bad.error, "query parameter 'product' is not valid UTF-8 (percent-encode UTF-8 text)");
  EXPECT_EQ(match_route(V::get, "/api/v1/tenants/t1/forecasts?product=%ED%A0%80").route,
            Route::bad_target);  // a surrogate
  EXPECT_EQ(match_route(V::get, "/api/v1/tenants/t1/forecasts?%C0%AF=1").route, Route::bad_target);
  const auto ok = match_route(V::get, "/api/v1/tenants/t1/forecasts?product=Cruas%C3%A1n");
  EXPECT_EQ(ok.route, Route::forecasts);
  EXPECT_EQ(ok.query.at("product"), "Cruas\xC3\xA1n");
}
