// The webhook rules apart from any socket: which URLs pass, what an operator's allow list lets
// through, the signature (checked against `openssl dgst -sha256 -hmac`), the PUT body's
// refusals, and the retry schedule.
#include "training/webhooks/webhook.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

using namespace levain::training;
using namespace levain::training::webhooks;

namespace {

std::optional<Url> url(std::string_view text) {
  std::string error;
  return parse_url(text, error);
}

TEST(WebhookUrl, HttpAndHttpsOnlyWithTheirDefaultPorts) {
  const auto a = url("https://hooks.example.com/levain?x=1");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->tls);
  EXPECT_EQ(a->host, "hooks.example.com");
  EXPECT_EQ(a->port, "443");
  EXPECT_EQ(a->target, "/levain?x=1");
  const auto b = url("http://[::1]:8080");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->host, "::1");
  EXPECT_EQ(b->port, "8080");
  EXPECT_EQ(b->target, "/");
  struct Bad {
    const char* url;
    const char* says;
  };
  for (const auto& bad :
       {Bad{"ftp://x/y", "http:// or https://"}, Bad{"file:///etc/passwd", "http"},
        Bad{"http://user:pw@x/", "user"}, Bad{"http:///nohost", "no host"},
        Bad{"http://x/#frag", "fragment"}, Bad{"not a url", "not a URL"}}) {
    std::string error;
    EXPECT_FALSE(parse_url(bad.url, error)) << bad.url;
    EXPECT_NE(error.find(bad.says), std::string::npos) << bad.url << ": " << error;
  }
  std::string error;
  EXPECT_FALSE(parse_url("http://x/" + std::string(kMaxUrlBytes, 'a'), error));
}

TEST(WebhookAllowList, NamesExactlyAndAddressesByBlock) {
  const AllowList allow({"Hooks.Example.com", "10.1.0.0/16", "127.0.0.1", "fd00::/8"});
  EXPECT_TRUE(allow.allows(*url("https://hooks.example.com/")));
  EXPECT_FALSE(allow.allows(*url("https://evil.hooks.example.com/")));
  EXPECT_FALSE(allow.allows(*url("https://hooks.example.com.evil.net/")));
  EXPECT_TRUE(allow.allows(*url("http://10.1.200.3/")));
  EXPECT_FALSE(allow.allows(*url("http://10.2.0.1/")));
  EXPECT_TRUE(allow.allows(*url("http://127.0.0.1:9000/")));
  EXPECT_FALSE(allow.allows(*url("http://127.0.0.2/")));
  EXPECT_TRUE(allow.allows(*url("http://[fd12::1]/")));
  EXPECT_FALSE(allow.allows(*url("http://[::1]/")));
  // A name that resolves into an allowed block is not let through: names are listed, not looked up.
  EXPECT_FALSE(allow.allows(*url("http://localhost/")));
  EXPECT_FALSE(AllowList({}).allows(*url("https://hooks.example.com/")));  // none by default
  for (const char* bad : {"10.0.0.0/33", "10.0.0.0/x", "a b", "http://x", "", "::1/129"}) {
    EXPECT_THROW(AllowList({bad}), std::invalid_argument) << bad;
  }
}

TEST(WebhookSignature, IsTheHexHmacSha256OfTimeDotBody) {
  // echo -n '1700000000.{"type":"completed"}' | openssl dgst -sha256 -hmac whsec-0123456789abcdef
  EXPECT_EQ(signature("whsec-0123456789abcdef", 1700000000, R"({"type":"completed"})"),
            "t=1700000000,v1=585e85f05e6513c31cb54796c5775349176dd7e3030be4546b188929a2d1c960");
}

TEST(WebhookBody, EachProblemIsNamedAndNothingHalfTaken) {
  const AllowList allow({"127.0.0.1"});
  const auto parse = [&](std::string_view text) {
    return parse_webhooks(boost::json::parse(text), allow);
  };
  const auto ok = parse(R"({"webhooks":[{"url":"http://127.0.0.1:9/h","events":["completed",
      "failed","completed"],"secret":"0123456789abcdef"}]})");
  ASSERT_EQ(ok.size(), 1u);
  EXPECT_EQ(ok[0].events, (std::vector<std::string>{"completed", "failed"}));
  EXPECT_TRUE(parse(R"({"webhooks":[]})").empty());  // removes them all
  struct Bad {
    const char* body;
    const char* says;
  };
  for (
      const auto& bad : {
          Bad{R"([])", "body must be"},
          Bad{R"({"webhooks":[1]})", "webhooks[0] must be an object"},
          Bad{R"({"webhooks":[{"events":["completed"],"secret":"0123456789abcdef"}]})", "url"},
          Bad{R"({"webhooks":[{"url":"http://10.0.0.1/","events":["completed"],"secret":"0123456789abcdef"}]})",
              "not allowed here"},
          Bad{R"({"webhooks":[{"url":"http://127.0.0.1/","events":[],"secret":"0123456789abcdef"}]})",
              "events"},
          Bad{R"({"webhooks":[{"url":"http://127.0.0.1/","events":["started"],"secret":"0123456789abcdef"}]})",
              "only"},
          Bad{R"({"webhooks":[{"url":"http://127.0.0.1/","events":["failed"],"secret":"short"}]})",
              "16-256"},
      }) {
    try {
      parse(bad.body);
      ADD_FAILURE() << "accepted: " << bad.body;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(bad.says), std::string::npos)
          << bad.body << ": " << e.what();
    }
  }
  std::string many = R"({"webhooks":[)";
  for (std::size_t i = 0; i <= kMaxWebhooks; ++i) {
    many += std::string(i ? "," : "") +
            R"({"url":"http://127.0.0.1/","events":["failed"],"secret":"0123456789abcdef"})";
  }
  EXPECT_THROW(parse(many + "]}"), std::invalid_argument);
}

TEST(WebhookRetry, DoublesFromTheFirstDelayWithUpToHalfAgainOfJitter) {
  using std::chrono::milliseconds;
  const milliseconds first{20'000};
  EXPECT_EQ(retry_delay(1, first, 0), milliseconds{20'000});
  EXPECT_EQ(retry_delay(2, first, 0), milliseconds{40'000});
  EXPECT_EQ(retry_delay(5, first, 0), milliseconds{320'000});
  EXPECT_EQ(retry_delay(1, first, 0.999), milliseconds{29'990});
  // Six attempts (five waits) at the defaults span more than ten minutes, whatever the jitter.
  milliseconds total{0};
  for (int attempt = 1; attempt <= 5; ++attempt) total += retry_delay(attempt, first, 0);
  EXPECT_GE(total, milliseconds{600'000});
}

}  // namespace
