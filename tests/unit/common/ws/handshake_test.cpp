// The upgrade check the service and the gateway make before Beast accepts: RFC 6455 §4.2.1 keys
// only, and every refusal in the JSON error form.
#include "common/ws/handshake.hpp"

#include <gtest/gtest.h>

#include <boost/beast/http/field.hpp>
#include <boost/json/parse.hpp>

namespace {

using levain::common::http::Request;
namespace ws = levain::common::ws;
namespace beast_http = boost::beast::http;

Request upgrade(std::string_view key) {
  Request req{beast_http::verb::get, "/live", 11};
  req.set(beast_http::field::host, "127.0.0.1");
  req.set(beast_http::field::connection, "Upgrade");
  req.set(beast_http::field::upgrade, "websocket");
  req.set(beast_http::field::sec_websocket_key, key);
  req.set(beast_http::field::sec_websocket_version, "13");
  return req;
}

TEST(WebSocketKey, OnlyTheBase64Of16BytesIsAKey) {
  EXPECT_TRUE(ws::is_valid_key("dGhlIHNhbXBsZSBub25jZQ=="));  // RFC 6455's own example
  EXPECT_TRUE(ws::is_valid_key("AAAAAAAAAAAAAAAAAAAAAA=="));
  EXPECT_TRUE(ws::is_valid_key("/+/+/+/+/+/+/+/+/+/+/w=="));
  struct Case {
    const char* what;
    const char* key;
  };
  for (const auto& c : {
           Case{"empty", ""},
           Case{"8 bytes", "AAAAAAAAAAA="},
           Case{"24 characters, not base64", "!!!!!!!!!!!!!!!!!!!!!!!!"},
           Case{"24 characters without padding", "AAAAAAAAAAAAAAAAAAAAAAAA"},
           Case{"17 bytes", "AAAAAAAAAAAAAAAAAAAAAAA="},
           Case{"17 bytes, padded", "AAAAAAAAAAAAAAAAAAAAAAAAAA=="},
           Case{"bits beyond the 16th byte", "AAAAAAAAAAAAAAAAAAAAAB=="},
           Case{"space inside", "AAAAAAAAAAA AAAAAAAAAAA=="},
           Case{"URL-safe alphabet", "-_-_-_-_-_-_-_-_-_-_-w=="},
       }) {
    EXPECT_FALSE(ws::is_valid_key(c.key)) << c.what << ": " << c.key;
  }
}

TEST(UpgradeCheck, AGoodRequestPasses) {
  EXPECT_FALSE(ws::check_upgrade(upgrade("dGhlIHNhbXBsZSBub25jZQ==")));
}

TEST(UpgradeCheck, ABadKeyIs400InJson) {
  const auto res = ws::check_upgrade(upgrade("AAAAAAAAAAA="));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result(), beast_http::status::bad_request);
  EXPECT_FALSE(res->keep_alive());
  EXPECT_EQ((*res)[beast_http::field::content_type], "application/json");
  const auto body = boost::json::parse(res->body());
  EXPECT_EQ(body.at("error").at("code").as_string(), "bad_request");
  EXPECT_NE(std::string(body.at("error").at("message").as_string()).find("Sec-WebSocket-Key"),
            std::string::npos);
}

TEST(UpgradeCheck, WhatBeastWouldRefuseIsRefusedInJsonToo) {
  auto no_host = upgrade("dGhlIHNhbXBsZSBub25jZQ==");
  no_host.erase(beast_http::field::host);
  EXPECT_EQ(ws::check_upgrade(no_host)->result(), beast_http::status::bad_request);

  auto old = upgrade("dGhlIHNhbXBsZSBub25jZQ==");
  old.version(10);
  EXPECT_EQ(ws::check_upgrade(old)->result(), beast_http::status::bad_request);

  auto no_version = upgrade("dGhlIHNhbXBsZSBub25jZQ==");
  no_version.erase(beast_http::field::sec_websocket_version);
  EXPECT_EQ(ws::check_upgrade(no_version)->result(), beast_http::status::bad_request);

  auto other = upgrade("dGhlIHNhbXBsZSBub25jZQ==");
  other.set(beast_http::field::sec_websocket_version, "8");
  const auto res = ws::check_upgrade(other);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->result(), beast_http::status::upgrade_required);
  EXPECT_EQ((*res)[beast_http::field::sec_websocket_version], "13");
  EXPECT_TRUE(boost::json::parse(res->body()).at("error").is_object());
}

}  // namespace
