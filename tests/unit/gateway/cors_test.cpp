// The CORS policy without a server: which preflights are allowed, what an allowed one is told,
// and which --cors-origin values are refused at start-up.
#include "gateway/cors.hpp"

#include <gtest/gtest.h>

#include <boost/beast/http/field.hpp>

namespace levain::gateway {
namespace {

namespace http = boost::beast::http;
using common::http::Request;

Request preflight(std::string origin, std::string method = "POST") {
  Request req{http::verb::options, "/api/v1/tenants/t1/sales", 11};
  req.set(http::field::origin, origin);
  req.set(http::field::access_control_request_method, method);
  req.set(http::field::access_control_request_headers, "authorization,content-type");
  return req;
}

TEST(Cors, AnAllowedOriginIsToldWhatItMaySend) {
  const CorsPolicy policy({"https://shop.example", "http://127.0.0.1:5173"});
  const auto req = preflight("http://127.0.0.1:5173");
  ASSERT_TRUE(CorsPolicy::is_preflight(req));
  const auto res = policy.preflight(req);
  EXPECT_EQ(res.result(), http::status::no_content);
  EXPECT_EQ(res[http::field::access_control_allow_origin], "http://127.0.0.1:5173");
  EXPECT_EQ(res[http::field::vary], "Origin");
  EXPECT_EQ(res[http::field::access_control_allow_methods], "GET, HEAD, POST, PUT");
  const auto headers = std::string(res[http::field::access_control_allow_headers]);
  EXPECT_NE(headers.find("Authorization"), std::string::npos);
  EXPECT_NE(headers.find("Content-Type"), std::string::npos);
  EXPECT_FALSE(res[http::field::access_control_max_age].empty());
}

TEST(Cors, OtherOriginsAndMethodsAreRefusedInJson) {
  const CorsPolicy policy({"https://shop.example"});
  for (const auto& req : {preflight("https://evil.example"), preflight("https://shop.example.evil"),
                          preflight("https://SHOP.example"), preflight("null"),
                          preflight("https://shop.example", "DELETE")}) {
    const auto res = policy.preflight(req);
    EXPECT_EQ(res.result(), http::status::forbidden) << req[http::field::origin];
    EXPECT_TRUE(res[http::field::access_control_allow_origin].empty());
    EXPECT_EQ(res[http::field::content_type], "application/json");
    EXPECT_NE(res.body().find("\"error\""), std::string::npos) << res.body();
  }
  EXPECT_EQ(CorsPolicy({}).preflight(preflight("https://shop.example")).result(),
            http::status::forbidden);
}

TEST(Cors, OnlyOptionsWithOriginAndRequestMethodIsAPreflight) {
  auto req = preflight("https://shop.example");
  req.erase(http::field::access_control_request_method);
  EXPECT_FALSE(CorsPolicy::is_preflight(req));
  auto get = preflight("https://shop.example");
  get.method(http::verb::get);
  EXPECT_FALSE(CorsPolicy::is_preflight(get));
}

TEST(Cors, OriginsAreExact) {
  for (const auto* ok : {"https://shop.example", "http://127.0.0.1:8080", "http://[::1]:3000",
                         "http://[::1]", "https://a-b.example.co"}) {
    EXPECT_FALSE(origin_problem(ok).has_value()) << ok;
  }
  for (const auto* bad : {"shop.example", "https://shop.example/", "https://shop.example/app", "*",
                          "https://", "https://Shop.example", "http://host:", "http://host:8x",
                          "ftp://host", "https://host:123456", "http://host:70000", "http://[::1",
                          "http://[::1]x", "http://host/:80"}) {
    EXPECT_TRUE(origin_problem(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace levain::gateway
