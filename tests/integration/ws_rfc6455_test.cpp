// Issue 13, item 11: the WebSocket handshake and close codes of RFC 6455 at both doors (the
// service and the gateway). A Sec-WebSocket-Key that is not the base64 of 16 bytes is refused
// with 400 and a JSON error; a close code outside the valid range is answered with 1002, a valid
// one echoed; invalid UTF-8 split across fragments is refused with 1007.
#include "harness/fixture.hpp"
#include "harness/json_access.hpp"
#include "raw_ws.hpp"

namespace levain::integration {
namespace {

class Rfc6455Test : public LevainTest {
 protected:
  /// The service, a gateway in front of it, and a job of tenant cafe that stays pending: one job
  /// runs at a time, and it waits behind ten of bakery.
  void SetUp() override {
    tok_ = token({"bakery", "cafe"});
    start_server({"--max-concurrent-jobs", "1", "--train-threads", "1"});
    service_ = server().port();
    upload("bakery", tok_, demo_csv(200, 365, 23));
    upload("cafe", tok_, demo_csv(2, 60, 24));
    for (int i = 0; i < 10; ++i) start_job("bakery", tok_);
    watched_ = start_job("cafe", tok_);
    gateway_ = start_gateway({service_}).port();
  }

  std::string target() const { return live_target("cafe", watched_, tok_); }

  /// An upgrade request to `door` with this Sec-WebSocket-Key (none at all when nullopt).
  HttpResponse upgrade(std::uint16_t door, std::optional<std::string> key) const {
    Headers h{{"Connection", "Upgrade"}, {"Upgrade", "websocket"}, {"Sec-WebSocket-Version", "13"}};
    if (key) h.emplace_back("Sec-WebSocket-Key", *key);
    return HttpClient(door, std::chrono::seconds(30)).request("GET", target(), {}, h);
  }

  std::string tok_;
  std::uint16_t service_ = 0;
  std::uint16_t gateway_ = 0;
  std::string watched_;
};

TEST_F(Rfc6455Test, AKeyThatIsNotTheBase64Of16BytesIs400InJsonAtBothDoors) {
  struct Case {
    const char* what;
    std::optional<std::string> key;
  };
  const std::vector<Case> bad = {
      {"empty", ""},
      {"8 bytes", "AAAAAAAAAAA="},
      {"24 characters, not base64", "!!!!!!!!!!!!!!!!!!!!!!!!"},
      {"17 bytes", "AAAAAAAAAAAAAAAAAAAAAAA="},
      {"16 bytes and stray bits", "AAAAAAAAAAAAAAAAAAAAAB=="},
      {"no key at all", std::nullopt},
  };
  for (const auto& [door, name] :
       {std::pair{service_, "service"}, std::pair{gateway_, "gateway"}}) {
    SCOPED_TRACE(name);
    for (const auto& c : bad) {
      SCOPED_TRACE(c.what);
      const auto r = upgrade(door, c.key);
      EXPECT_EQ(r.status, 400) << r.summary();
      ASSERT_TRUE(r.json_ok) << r.summary();
      EXPECT_EQ(str_at(r.json, "error/code"), "bad_request") << r.summary();
      EXPECT_NE(str_at(r.json, "error/message").find("Sec-WebSocket-Key"), std::string::npos)
          << r.summary();
    }
    const auto good = upgrade(door, "dGhlIHNhbXBsZSBub25jZQ==");
    EXPECT_EQ(good.status, 101) << good.summary();
  }
}

TEST_F(Rfc6455Test, InvalidCloseCodesAreAnsweredWith1002AndValidOnesEchoed) {
  struct Case {
    std::uint16_t sent;
    int answer;
  };
  const std::vector<Case> cases = {{5000, 1002}, {1005, 1002}, {999, 1002},
                                   {1004, 1002}, {1000, 1000}, {4000, 4000}};
  for (const auto& [door, name] :
       {std::pair{service_, "service"}, std::pair{gateway_, "gateway"}}) {
    SCOPED_TRACE(name);
    for (const auto& c : cases) {
      SCOPED_TRACE("close " + std::to_string(c.sent));
      RawWs client(door, target());
      ASSERT_TRUE(client.ok()) << client.error();
      ASSERT_TRUE(client.send_close(c.sent, "bye"));
      EXPECT_EQ(client.read_close_code(), std::optional<int>(c.answer)) << client.error();
    }
  }
}

TEST_F(Rfc6455Test, InvalidUtf8SplitAcrossFragmentsIs1007) {
  for (const auto& [door, name] :
       {std::pair{service_, "service"}, std::pair{gateway_, "gateway"}}) {
    SCOPED_TRACE(name);
    RawWs client(door, target());
    ASSERT_TRUE(client.ok()) << client.error();
    // 0xC3 opens a two-byte sequence; the next fragment does not continue it.
    ASSERT_TRUE(client.send(opcode::text, "pi\xC3", /*fin=*/false));
    ASSERT_TRUE(client.send(opcode::continuation, "(ng", /*fin=*/true));
    EXPECT_EQ(client.read_close_code(), std::optional<int>(1007)) << client.error();
  }
}

}  // namespace
}  // namespace levain::integration
