#include "cli/client/endpoint.hpp"

#include <gtest/gtest.h>

#include "cli/client/close_policy.hpp"

namespace levain::cli {
namespace {

std::string error_for(std::string_view url) {
  std::string error;
  EXPECT_FALSE(parse_endpoint(url, &error).has_value()) << url;
  return error;
}

TEST(ParseEndpoint, Good) {
  std::string error;
  auto e = parse_endpoint("http://127.0.0.1:8081", &error);
  ASSERT_TRUE(e) << error;
  EXPECT_EQ(e->host, "127.0.0.1");
  EXPECT_EQ(e->port, "8081");
  EXPECT_EQ(e->base_path, "");
  EXPECT_EQ(host_header(*e), "127.0.0.1:8081");

  e = parse_endpoint("ws://levain.example:9000/prefix/", &error);
  ASSERT_TRUE(e) << error;
  EXPECT_EQ(e->host, "levain.example");
  EXPECT_EQ(e->base_path, "/prefix");

  e = parse_endpoint("http://localhost", &error);
  ASSERT_TRUE(e) << error;
  EXPECT_EQ(e->port, "80");
  EXPECT_EQ(host_header(*e), "localhost");

  e = parse_endpoint("http://[::1]:8081/", &error);
  ASSERT_TRUE(e) << error;
  EXPECT_EQ(e->host, "::1");
  EXPECT_EQ(host_header(*e), "[::1]:8081");
}

TEST(ParseEndpoint, TlsSchemes) {
  std::string error;
  auto e = parse_endpoint("https://127.0.0.1:8443", &error);
  ASSERT_TRUE(e) << error;
  EXPECT_TRUE(e->tls);
  EXPECT_EQ(e->port, "8443");
  EXPECT_EQ(host_header(*e), "127.0.0.1:8443");
  EXPECT_EQ(origin(*e), "https://127.0.0.1:8443");

  e = parse_endpoint("wss://levain.example/prefix", &error);
  ASSERT_TRUE(e) << error;
  EXPECT_TRUE(e->tls);
  EXPECT_EQ(e->port, "443");
  EXPECT_EQ(host_header(*e), "levain.example");  // 443 is https's default
  EXPECT_EQ(e->base_path, "/prefix");

  e = parse_endpoint("https://levain.example:80", &error);
  ASSERT_TRUE(e) << error;
  EXPECT_EQ(host_header(*e), "levain.example:80");  // 80 is not https's default

  e = parse_endpoint("http://127.0.0.1:8081", &error);
  ASSERT_TRUE(e) << error;
  EXPECT_FALSE(e->tls);
  EXPECT_EQ(origin(*e), "http://127.0.0.1:8081");
}

TEST(ParseEndpoint, BadScheme) {
  EXPECT_NE(error_for("ftp://127.0.0.1").find("unsupported scheme 'ftp'"), std::string::npos);
  EXPECT_NE(error_for("127.0.0.1:8081").find("invalid URL"), std::string::npos);
  EXPECT_FALSE(error_for("").empty());
}

TEST(ParseEndpoint, MissingHost) {
  EXPECT_NE(error_for("http://").find("missing host"), std::string::npos);
  EXPECT_NE(error_for("http:///path").find("missing host"), std::string::npos);
  EXPECT_NE(error_for("http://:8081").find("missing host"), std::string::npos);
}

TEST(ParseEndpoint, BadPort) {
  EXPECT_NE(error_for("http://127.0.0.1:0").find("bad port"), std::string::npos);
  EXPECT_NE(error_for("http://127.0.0.1:65536").find("bad port"), std::string::npos);
  EXPECT_NE(error_for("http://127.0.0.1:99999999999999999999").find("bad port"), std::string::npos);
  EXPECT_NE(error_for("http://127.0.0.1:").find("bad port"), std::string::npos);
  EXPECT_NE(error_for("http://127.0.0.1:80a").find("bad port"), std::string::npos);
}

TEST(ParseEndpoint, RejectsQueryFragmentAndUserInfo) {
  EXPECT_FALSE(error_for("http://127.0.0.1:8081/?token=x").empty());
  EXPECT_FALSE(error_for("http://127.0.0.1:8081/#top").empty());
  EXPECT_FALSE(error_for("http://user:pw@127.0.0.1:8081").empty());
  EXPECT_FALSE(parse_endpoint("ftp://x", nullptr).has_value());  // null error is allowed
}

TEST(PercentEncode, KeepsOnlyUnreserved) {
  EXPECT_EQ(percent_encode("bakery-1_a.b~c"), "bakery-1_a.b~c");
  EXPECT_EQ(percent_encode("a/b?c&d=e f"), "a%2Fb%3Fc%26d%3De%20f");
  EXPECT_EQ(percent_encode("\xC3\xAF"), "%C3%AF");
  EXPECT_EQ(tenant_path("t/1"), "/api/v1/tenants/t%2F1");
}

TEST(ClosePolicy, ActionsFollowTheContract) {
  EXPECT_EQ(close_action(1000), CloseAction::finish);
  for (int code : {1001, 1006, 1008, 1011, 1012}) {
    EXPECT_EQ(close_action(code), CloseAction::reconnect) << code;
  }
  for (int code : {4001, 4003, 4004, 4999}) EXPECT_EQ(close_action(code), CloseAction::refuse);
  const std::string text = describe_close(4001, "token expired");
  EXPECT_EQ(text.rfind("token rejected (4001): token expired", 0), 0u) << text;
  EXPECT_NE(text.find("get a new token"), std::string::npos);
  EXPECT_EQ(describe_close(1012, ""), "gateway lost its upstream (1012)");
  EXPECT_EQ(close_action(4029), CloseAction::reconnect) << "a watcher place frees later";
  EXPECT_EQ(exit_code_for_status("completed"), 0);
  EXPECT_EQ(exit_code_for_status("failed"), 1);
  EXPECT_EQ(exit_code_for_status("cancelled"), 1);
}

TEST(ClosePolicy, AWatcherQuotaShowsTheServersSentenceAndItsHint) {
  const std::string reason =
      R"({"limit":"watchers_per_job","value":2,"retry_after_s":10,"message":"at most 2 watchers per job"})";
  EXPECT_EQ(describe_close(4029, reason),
            "watcher quota reached (4029): at most 2 watchers per job");
  const struct {
    int code;
    std::string reason;
    std::optional<std::chrono::seconds> hint;
  } rows[] = {
      {4029, reason, std::chrono::seconds(10)},
      {4029, R"({"retry_after_s":999999})", std::chrono::seconds(3600)},  // capped at an hour
      {4029, R"({"retry_after_s":0})", std::nullopt},
      {4029, R"({"retry_after_s":"10"})", std::nullopt},
      {4029, "not json", std::nullopt},
      {1001, reason, std::nullopt},  // only a quota close carries a hint
  };
  for (const auto& r : rows) EXPECT_EQ(retry_hint(r.code, r.reason), r.hint) << r.reason;
  EXPECT_EQ(describe_close(4029, "not json"), "watcher quota reached (4029): not json");
}

}  // namespace
}  // namespace levain::cli
