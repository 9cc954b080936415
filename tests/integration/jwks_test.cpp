// Keys from a JWKS file (replace the file, the keys rotate, no restart) and the refusals at
// start: a key set that cannot be read or holds no usable key stops the process with a message
// naming its flag, before it listens. The URL and its rotation are in token_table_test.cpp.
#include <jwt.h>

#include <boost/json/array.hpp>
#include <filesystem>
#include <fstream>

#include "harness/fixture.hpp"
#include "harness/local_http_server.hpp"
#include "harness/wait.hpp"
#include "test_tokens.hpp"

namespace levain::integration {
namespace {

namespace tt = auth::testing;

class JwksTest : public LevainTest {
 protected:
  boost::json::object claims() const {
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    return {{"sub", "ana"},
            {"tenants", boost::json::array{"bakery"}},
            {"roles", boost::json::array{"trainer"}},
            {"exp", now + 3600}};
  }

  /// Written to a temporary name and renamed over `path`, as a deploy tool replaces a file: a
  /// read never sees half of it.
  void publish(const std::filesystem::path& path, const std::string& text) {
    const auto tmp = path.string() + ".new";
    std::ofstream(tmp) << text;
    std::filesystem::rename(tmp, path);
  }

  CommandResult start_refused(const std::vector<std::string>& flags) {
    std::vector<std::string> args = {"training", "--listen", "127.0.0.1:0", "--data-dir",
                                     (dir_ / "data").string()};
    args.insert(args.end(), flags.begin(), flags.end());
    return run_levain(args);
  }
};

TEST_F(JwksTest, ReplacingTheFileRotatesTheKeysWithoutARestart) {
  const tt::KeyPair old_key = tt::make_ec_key();
  const tt::KeyPair new_key = tt::make_rsa_key();
  const auto file = dir_ / "jwks.json";
  publish(file, tt::jwks({tt::public_jwk(old_key, "2026-11")}));
  std::vector<std::string> args = {"training",
                                   "--listen",
                                   "127.0.0.1:0",
                                   "--data-dir",
                                   (dir_ / "data").string(),
                                   "--jwt-jwks-file",
                                   file.string(),
                                   "--jwt-jwks-min-interval",
                                   "1"};
  LevainProcess service(args, dir_ / "service.log");
  const HttpClient client(service.port());
  const auto jobs = jobs_path("bakery");
  const auto old_token = tt::sign_kid(JWT_ALG_ES256, old_key.private_pem, "2026-11", claims());
  const auto new_token = tt::sign_kid(JWT_ALG_RS256, new_key.private_pem, "2026-12", claims());
  ASSERT_EQ(client.get(jobs, old_token).status, 200) << service.log_tail();
  EXPECT_EQ(client.get(jobs, new_token).status, 401);

  publish(file, tt::jwks({tt::public_jwk(new_key, "2026-12")}));
  EXPECT_TRUE(wait_until([&] { return client.get(jobs, new_token).status == 200; },
                         std::chrono::seconds(60)))
      << service.log_tail();
  EXPECT_EQ(client.get(jobs, old_token).status, 401);

  // A broken file is a failed read: the last good set stays.
  publish(file, "{\"keys\": [");
  EXPECT_EQ(
      client.get(jobs, tt::sign_kid(JWT_ALG_RS256, new_key.private_pem, "x", claims())).status,
      401);  // an unknown kid asks for the read
  EXPECT_TRUE(wait_until(
      [&] { return service.log_tail().find("keeping the last good set") != std::string::npos; },
      std::chrono::seconds(60)))
      << service.log_tail();
  EXPECT_EQ(client.get(jobs, new_token).status, 200);
}

TEST_F(JwksTest, AKeySetThatCannotBeUsedStopsTheStartWithAMessage) {
  const auto file = dir_ / "jwks.json";
  std::ofstream(file) << R"({"keys":[{"kty":"oct","k":"c2VjcmV0","kid":"hmac"}]})";
  // A port nothing listens on: the server is created and gone, so the connect is refused.
  std::uint16_t closed_port = 0;
  {
    LocalHttpServer gone([](const LocalRequest&) { return LocalReply{}; });
    closed_port = gone.port();
  }
  LocalHttpServer not_found([](const LocalRequest&) {
    return LocalReply{404, "no", "text/plain"};
  });
  const struct {
    const char* what;
    std::vector<std::string> flags;
    std::string says;
  } cases[] = {
      {"no usable key", {"--jwt-jwks-file", file.string()}, "key type oct is not taken"},
      {"missing file", {"--jwt-jwks-file", (dir_ / "nope.json").string()}, "nope.json"},
      {"nothing listening",
       {"--jwt-jwks-url", "http://127.0.0.1:" + std::to_string(closed_port) + "/jwks.json"},
       "the key set from --jwt-jwks-url http://127.0.0.1:" + std::to_string(closed_port) +
           "/jwks.json cannot be used: read failed"},
      {"not found",
       {"--jwt-jwks-url", "http://127.0.0.1:" + std::to_string(not_found.port()) + "/jwks.json"},
       "HTTP 404"},
      {"not http", {"--jwt-jwks-url", "ftp://127.0.0.1/jwks.json"}, "http:// or https://"},
      {"two kinds of key",
       {"--jwt-jwks-file", file.string(), "--jwt-secret", "s"},
       "give one kind of key"},
      {"a CA file without a URL",
       {"--jwt-secret", "s", "--jwt-jwks-ca-file", file.string()},
       "it is for --jwt-jwks-url"},
      {"an algorithm beside a key set",
       {"--jwt-jwks-file", file.string(), "--jwt-alg", "RS256"},
       "drop --jwt-alg"},
  };
  for (const auto& c : cases) {
    const auto r = start_refused(c.flags);
    EXPECT_NE(r.status.code, 0) << c.what;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << c.what << ": " << r.err;
  }
}

}  // namespace
}  // namespace levain::integration
