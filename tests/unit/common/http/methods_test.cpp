// The one method rule both doors use: HEAD wherever GET, the Allow list, and the 405 in JSON.
#include "common/http/methods.hpp"

#include <gtest/gtest.h>

#include <boost/beast/http/field.hpp>

namespace levain::common::http {
namespace {

using V = beast_http::verb;

TEST(Methods, HeadGoesWhereverGetGoes) {
  EXPECT_TRUE(method_allowed(V::head, {V::get}));
  EXPECT_TRUE(method_allowed(V::get, {V::get, V::put}));
  EXPECT_FALSE(method_allowed(V::head, {V::post}));
  EXPECT_FALSE(method_allowed(V::unknown, {V::get, V::post}));
  EXPECT_FALSE(method_allowed(V::options, {V::get}));
  EXPECT_EQ(allow_header({V::get}), "GET, HEAD");
  EXPECT_EQ(allow_header({V::get, V::put}), "GET, HEAD, PUT");
  EXPECT_EQ(allow_header({V::post}), "POST");
}

TEST(Methods, RefusalIsJsonWithAllow) {
  const auto res = method_not_allowed("BREW", "GET, HEAD", 11, false);
  EXPECT_EQ(res.result(), Status::method_not_allowed);
  EXPECT_EQ(res[beast_http::field::allow], "GET, HEAD");
  EXPECT_EQ(res[beast_http::field::content_type], "application/json");
  EXPECT_NE(res.body().find("\"code\":\"method_not_allowed\""), std::string::npos) << res.body();
  EXPECT_NE(res.body().find("BREW is not allowed here; use GET, HEAD"), std::string::npos);
}

}  // namespace
}  // namespace levain::common::http
