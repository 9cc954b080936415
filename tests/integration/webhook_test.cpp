// A tenant's webhooks on the real binary (docs/webhooks.md), against a real local HTTP receiver
// that fails the first two POSTs: the job's end is POSTed, signed, retried with backoff across a
// restart of the service, and listed with every attempt; URLs the operator did not allow, and
// secrets shown back, are refused.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <boost/json/parse.hpp>
#include <csignal>

#include "harness/fixture.hpp"
#include "harness/json_access.hpp"
#include "harness/webhook_receiver.hpp"

namespace levain::integration {
namespace {

const std::string kSecret = "whsec-integration-0123456789";

std::string hmac_hex(const std::string& key, const std::string& text) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(text.data()), text.size(), mac, &n);
  std::string out;
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned int i = 0; i < n; ++i) {
    out += kHex[mac[i] >> 4];
    out += kHex[mac[i] & 0xf];
  }
  return out;
}

// "t=<unix>,v1=<hex>" checked the way a receiver would.
bool signed_by(const ReceivedHook& hook, const std::string& secret) {
  const auto it = hook.headers.find("levain-signature");
  if (it == hook.headers.end()) return false;
  const auto& sig = it->second;
  const auto comma = sig.find(",v1=");
  if (sig.rfind("t=", 0) != 0 || comma == std::string::npos) return false;
  const auto t = sig.substr(2, comma - 2);
  return sig.substr(comma + 4) == hmac_hex(secret, t + "." + hook.body);
}

class WebhookTest : public LevainTest {
 protected:
  std::vector<std::string> flags() const {
    return {"--webhook-allow", "127.0.0.1", "--webhook-first-retry", "2", "--train-threads", "2"};
  }
  std::string hooks_path() const { return "/api/v1/tenants/bakery/webhooks"; }
};

TEST_F(WebhookTest, TheEndIsPostedSignedAndRetriedAcrossARestartUntilItLands) {
  WebhookReceiver receiver(2);
  start_server(flags());
  const auto tok = token({"bakery"});
  const auto url = "http://127.0.0.1:" + std::to_string(receiver.port()) + "/levain-hook";
  const auto put =
      http().request("PUT", hooks_path(),
                     R"({"webhooks":[{"url":")" + url + R"(","events":["completed"],"secret":")" +
                         kSecret + R"("}]})",
                     {{"Authorization", "Bearer " + tok}, {"Content-Type", "application/json"}});
  ASSERT_EQ(put.status, 200) << put.body;
  const auto listed = http().get(hooks_path(), tok);
  EXPECT_EQ(listed.body.find(kSecret), std::string::npos) << "a secret is never shown back";
  EXPECT_EQ(str_at(listed.json, "webhooks/0/url"), url);

  upload("bakery", tok, demo_csv(4, 120));
  const auto job = start_job("bakery", tok);
  EXPECT_EQ(str_at(wait_terminal("bakery", tok, job), "status"), "completed");
  auto got = receiver.wait_for(1);
  ASSERT_GE(got.size(), 1u);
  EXPECT_EQ(got[0].answered, 500);

  // The service stops with the delivery still to be made; the next one makes it.
  server().terminate();
  start_server(flags());
  got = receiver.wait_for(3);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[2].answered, 204);
  for (const auto& hook : got) {
    EXPECT_EQ(hook.target, "/levain-hook");
    EXPECT_TRUE(signed_by(hook, kSecret)) << hook.headers.at("levain-signature");
    EXPECT_FALSE(signed_by(hook, kSecret + "x"));
    EXPECT_EQ(hook.headers.at("levain-event"), "completed");
    EXPECT_EQ(hook.headers.at("levain-delivery"), got[0].headers.at("levain-delivery"));
    EXPECT_EQ(hook.headers.at("content-type"), "application/json");
    const auto body = boost::json::parse(hook.body);
    EXPECT_EQ(str_at(body, "type"), "completed");
    EXPECT_EQ(str_at(body, "job_id"), job);
  }

  // Every attempt is listed, with its outcome.
  std::string delivered;
  for (int i = 0; i < 100 && delivered != "delivered"; ++i) {
    const auto list = http().get(hooks_path() + "/deliveries", tok);
    delivered = str_at(list.json, "deliveries/0/status");
    if (delivered == "delivered") {
      EXPECT_EQ(int_at(list.json, "deliveries/0/attempts"), 3) << list.body;
      EXPECT_EQ(int_at(list.json, "deliveries/0/last_status"), 204) << list.body;
      EXPECT_EQ(str_at(list.json, "deliveries/0/job_id"), job);
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the record follows the 204
    }
  }
  EXPECT_EQ(delivered, "delivered");
}

TEST_F(WebhookTest, OnlyUrlsTheOperatorAllowedAndOnlyTrainersMayChangeThem) {
  start_server(flags());
  const auto tok = token({"bakery"});
  const auto put = [&](const std::string& body, const std::string& token) {
    return http().request(
        "PUT", hooks_path(), body,
        {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}});
  };
  const auto hook = [](const std::string& url) {
    return R"({"webhooks":[{"url":")" + url +
           R"(","events":["completed","failed"],"secret":"0123456789abcdef"}]})";
  };
  for (const char* url : {"http://10.0.0.1/h", "http://169.254.169.254/latest",
                          "http://localhost:1/", "file:///etc/passwd", "gopher://127.0.0.1/"}) {
    const auto r = put(hook(url), tok);
    EXPECT_EQ(r.status, 422) << url << ": " << r.body;
    EXPECT_EQ(str_at(r.json, "error/code"), "invalid_webhooks") << r.body;
  }
  EXPECT_EQ(put("not json", tok).status, 400);
  EXPECT_EQ(put(hook("http://127.0.0.1:9/h"), token({"bakery"}, false)).status, 403);
  EXPECT_EQ(put(hook("http://127.0.0.1:9/h"), tok).status, 200);
  EXPECT_EQ(put(R"({"webhooks":[]})", tok).status, 200);
  EXPECT_TRUE(find(http().get(hooks_path(), tok).json, "webhooks")->as_array().empty());
}

}  // namespace
}  // namespace levain::integration
