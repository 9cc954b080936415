// The table-driven token suite of issue 3 through the front door: every row is one attack or
// mistake, asserting the exact WebSocket close code and HTTP status. The same table runs against
// the training service directly (it verifies too: defence in depth) and against the gateway in
// front of it.
#include <jwt.h>

#include <atomic>
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <chrono>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <ostream>

#include "auth/base64url.hpp"
#include "harness/fixture.hpp"
#include "harness/json_access.hpp"
#include "harness/local_http_server.hpp"
#include "harness/stream_checks.hpp"
#include "harness/wait.hpp"
#include "test_tokens.hpp"

namespace levain::integration {
namespace {

namespace tt = auth::testing;
using boost::json::object;

constexpr int kConnected = 0;  // the upgrade is kept and the `connected` snapshot arrives
constexpr const char* kTenant = "bakery";
constexpr const char* kIssuer = "https://idp.levain.test/";
constexpr const char* kAudience = "levain-api";

enum class Target { service, gateway };
const char* name_of(Target t) { return t == Target::gateway ? "gateway" : "service"; }
void PrintTo(Target t, std::ostream* os) { *os << name_of(t); }
enum class Action { list, start };  // GET the job list, or POST a new job (needs `trainer`)

struct Row {
  std::string name;
  std::optional<std::string> token;  // nullopt: no token at all
  int ws_code;                       // close code, or kConnected
  int http_status;
  Action action = Action::list;
};

std::int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// Claims a correct token for `kTenant` carries; rows change one thing.
object good_claims(bool trainer = true) {
  object c;
  c["sub"] = "alice";
  c["tenants"] = boost::json::array{kTenant};
  if (trainer) c["roles"] = boost::json::array{"trainer"};
  c["iat"] = now_s();
  c["exp"] = now_s() + 3600;
  c["iss"] = kIssuer;
  c["aud"] = kAudience;
  return c;
}

object with(object c, std::string_view key, boost::json::value v) {
  c[key] = std::move(v);
  return c;
}

object without(object c, std::string_view key) {
  c.erase(key);
  return c;
}

std::string b64_json(const object& o) { return auth::base64url_encode(boost::json::serialize(o)); }

class TokenTableTest : public LevainTest, public ::testing::WithParamInterface<Target> {
 protected:
  /// Starts the service (and the gateway in front when the parameter says so) with the same
  /// token settings, and seeds one job so that accepted watchers have something to watch.
  void start_stack(const std::vector<std::string>& auth_flags) {
    std::vector<std::string> service = {"training", "--listen", "127.0.0.1:0", "--data-dir",
                                        dir_ / "data"};
    service.insert(service.end(), auth_flags.begin(), auth_flags.end());
    servers_.push_back(std::make_unique<LevainProcess>(service, dir_ / "service.log"));
    service_port_ = servers_.back()->port();
    if (GetParam() == Target::gateway) {
      std::vector<std::string> gateway = {"gateway", "--listen", "127.0.0.1:0", "--upstream",
                                          "127.0.0.1:" + std::to_string(service_port_)};
      gateway.insert(gateway.end(), auth_flags.begin(), auth_flags.end());
      servers_.push_back(std::make_unique<LevainProcess>(gateway, dir_ / "gateway.log"));
    }
    front_port_ = servers_.back()->port();
    // Seeded on the service directly: the table is about the front door's token checks.
    const HttpClient direct(service_port_);
    const std::string tok = trainer_token_();
    const auto up = direct.post("/api/v1/tenants/" + std::string(kTenant) + "/sales", tok,
                                demo_csv(2, 120), "text/csv");
    ASSERT_EQ(up.status, 200) << up.summary();
    const auto job = direct.post(jobs_path(kTenant), tok, "{}");
    ASSERT_EQ(job.status, 202) << job.summary();
    job_id_ = str_at(job.json, "job_id");
  }

  void run(const std::vector<Row>& rows) {
    for (const Row& row : rows) {
      SCOPED_TRACE("row '" + row.name + "' via " + name_of(GetParam()));
      check_ws(row);
      check_http(row);
    }
    check_who_refused(rows);
  }

  std::function<std::string()> trainer_token_;
  std::uint16_t front_port_ = 0;
  std::string job_id_;

 private:
  void check_ws(const Row& row) {
    std::string target = jobs_path(kTenant) + "/" + job_id_ + "/live";
    if (row.token) target += "?token=" + url_encode(*row.token);
    WsClient c(front_port_, target);
    if (row.ws_code == kConnected) {
      const auto first = c.next();
      ASSERT_TRUE(first.has_value()) << c.end().describe();
      EXPECT_EQ(type_of(*first), "connected") << dump(*first);
      return;
    }
    c.read_until_close();
    for (const auto& m : c.messages()) EXPECT_NE(type_of(m), "connected") << dump(m);
    EXPECT_EQ(c.end().code, row.ws_code) << c.end().describe();
    EXPECT_FALSE(c.end().reason.empty()) << "a refusal says why";
  }

  void check_http(const Row& row) {
    Headers headers;
    if (row.token) headers.emplace_back("Authorization", "Bearer " + *row.token);
    const HttpClient client(front_port_);
    HttpResponse r;
    if (row.action == Action::start) {
      headers.emplace_back("Content-Type", "application/json");
      r = client.request("POST", jobs_path(kTenant), "{}", headers);
    } else {
      r = client.request("GET", jobs_path(kTenant), {}, headers);
    }
    EXPECT_EQ(r.status, row.http_status) << r.summary();
    if (r.status >= 400) {
      EXPECT_TRUE(has(r.json, "error/code")) << r.summary();
    }
  }

  /// Directly, the service refuses every bad row itself; behind the gateway, none of them may
  /// reach it: the gateway verifies, not only the service.
  void check_who_refused(const std::vector<Row>& rows) {
    double ws_refusals = 0;
    double http_refusals = 0;
    for (const Row& row : rows) {
      if (row.ws_code != kConnected) ++ws_refusals;
      if (row.http_status >= 400) ++http_refusals;
    }
    const bool direct = GetParam() == Target::service;
    const auto r = HttpClient(service_port_).get("/metrics", "");
    ASSERT_EQ(r.status, 200) << r.summary();
    EXPECT_EQ(metric(r.body, "levain_ws_refused_total"), direct ? ws_refusals : 0) << r.body;
    EXPECT_EQ(metric(r.body, R"(levain_http_responses_total{class="4xx"})"),
              direct ? http_refusals : 0)
        << r.body;
  }

  /// The value of one sample in Prometheus text, or -1 when the sample is missing.
  static double metric(const std::string& text, const std::string& sample) {
    std::size_t at = 0;
    while ((at = text.find(sample + " ", at)) != std::string::npos) {
      if (at == 0 || text[at - 1] == '\n') return std::stod(text.substr(at + sample.size() + 1));
      at += sample.size();
    }
    return -1;
  }

  std::uint16_t service_port_ = 0;
};

TEST_P(TokenTableTest, Hs256WithIssuerAndAudience) {
  const auto sign = [&](const object& c) { return tt::sign(JWT_ALG_HS256, secret_, c); };
  trainer_token_ = [&] { return sign(good_claims()); };
  start_stack({"--jwt-secret", secret_, "--jwt-issuer", kIssuer, "--jwt-audience", kAudience});

  const std::string valid = sign(good_claims());
  const std::string header = valid.substr(0, valid.find('.'));
  const std::string head_and_payload = valid.substr(0, valid.rfind('.'));
  const std::string none_header = R"({"alg":"none","typ":"JWT"})";
  run({
      {"no token", std::nullopt, 4001, 401},
      {"empty token", "", 4001, 401},
      {"garbage", "garbage token!", 4001, 401},
      {"two segments", head_and_payload, 4001, 401},
      {"four segments", valid + ".AAAA", 4001, 401},
      {"bad base64 in the payload", tt::replace_segment(valid, 1, "A"), 4001, 401},
      {"alg none", auth::base64url_encode(none_header) + "." + b64_json(good_claims()) + ".", 4001,
       401},
      {"wrong secret", tt::sign(JWT_ALG_HS256, secret_ + "-not", good_claims()), 4001, 401},
      {"tampered payload",
       tt::replace_segment(
           valid, 1,
           b64_json(with(good_claims(), "tenants", boost::json::array{kTenant, "everyone"}))),
       4001, 401},
      {"tampered header",
       tt::replace_segment(valid, 0, auth::base64url_encode(R"({"alg":"HS256","kid":"k2"})")), 4001,
       401},
      {"expired", sign(with(with(good_claims(), "iat", now_s() - 7200), "exp", now_s() - 3600)),
       4001, 401},
      {"nbf in the future", sign(with(good_claims(), "nbf", now_s() + 3600)), 4001, 401},
      {"missing exp", sign(without(good_claims(), "exp")), 4001, 401},
      {"wrong issuer", sign(with(good_claims(), "iss", "https://evil.test/")), 4001, 401},
      {"wrong audience", sign(with(good_claims(), "aud", "someone-else")), 4001, 401},
      {"tenant not granted", sign(with(good_claims(), "tenants", boost::json::array{"other"})),
       4003, 403},
      {"tenants not an array", sign(with(good_claims(), "tenants", kTenant)), 4001, 401},
      {"oversized token", sign(with(good_claims(), "pad", boost::json::string(6300, 'x'))), 4001,
       401},
      {"viewer starting a job", sign(good_claims(/*trainer=*/false)), kConnected, 403,
       Action::start},
      {"signature stripped", header + "." + b64_json(good_claims()) + ".", 4001, 401},
      {"valid (control)", valid, kConnected, 200},
      {"trainer starting a job (control)", valid, kConnected, 202, Action::start},
  });
}

TEST_P(TokenTableTest, Rs256PublicKey) {
  const tt::KeyPair key = tt::make_rsa_key();
  const tt::KeyPair other = tt::make_rsa_key();
  std::ofstream(dir_ / "rs256.pem") << key.public_pem;
  trainer_token_ = [&] { return tt::sign(JWT_ALG_RS256, key.private_pem, good_claims()); };
  const auto typed = [&](const std::string& typ) {
    return tt::sign_with_header(JWT_ALG_RS256, key.private_pem,
                                R"({"alg":"RS256","typ":")" + typ + R"(","kid":"idp-1"})",
                                good_claims());
  };
  start_stack({"--jwt-public-key", dir_ / "rs256.pem", "--jwt-alg", "RS256"});
  run({
      {"HS256 keyed with the RSA public key (key confusion)",
       tt::sign(JWT_ALG_HS256, key.public_pem, good_claims()), 4001, 401},
      {"RS256 signed by another key", tt::sign(JWT_ALG_RS256, other.private_pem, good_claims()),
       4001, 401},
      // RFC 9068 access tokens, as identity providers issue them (issue 13, item 12).
      {"typ at+jwt", typed("at+jwt"), kConnected, 200},
      {"typ application/at+jwt starting a job", typed("application/at+jwt"), kConnected, 202,
       Action::start},
      {"typ logout+jwt (not an access token)", typed("logout+jwt"), 4001, 401},
      {"valid RS256 (control)", trainer_token_(), kConnected, 200},
  });
}

TEST_P(TokenTableTest, Es256PublicKey) {
  const tt::KeyPair key = tt::make_ec_key();
  const tt::KeyPair other = tt::make_ec_key();
  std::ofstream(dir_ / "es256.pem") << key.public_pem;
  trainer_token_ = [&] { return tt::sign(JWT_ALG_ES256, key.private_pem, good_claims()); };
  start_stack({"--jwt-public-key", dir_ / "es256.pem", "--jwt-alg", "ES256"});
  run({
      {"HS256 keyed with the EC public key (key confusion)",
       tt::sign(JWT_ALG_HS256, key.public_pem, good_claims()), 4001, 401},
      {"ES256 signed by another key", tt::sign(JWT_ALG_ES256, other.private_pem, good_claims()),
       4001, 401},
      {"valid ES256 (control)", trainer_token_(), kConnected, 200},
  });
}

TEST_P(TokenTableTest, JwksUrlWithKeyRotation) {
  const tt::KeyPair a = tt::make_rsa_key();
  const tt::KeyPair b = tt::make_rsa_key();
  const tt::KeyPair e = tt::make_ec_key();
  std::mutex mutex;
  std::string published = tt::jwks({tt::public_jwk(a, "a", "RS256"), tt::public_jwk(e, "e")});
  std::atomic<int> reads{0};
  // The identity provider: a real HTTP server whose key set the test rotates.
  LocalHttpServer idp([&](const LocalRequest& request) {
    ++reads;
    if (request.target != "/jwks.json") return LocalReply{404, "", ""};
    std::lock_guard lock(mutex);
    return LocalReply{200, published, "application/json"};
  });
  const auto signed_by = [](jwt_alg_t alg, const tt::KeyPair& key, const std::string& kid) {
    return tt::sign_kid(alg, key.private_pem, kid, good_claims());
  };
  trainer_token_ = [&] { return signed_by(JWT_ALG_RS256, a, "a"); };
  start_stack({"--jwt-jwks-url", "http://127.0.0.1:" + std::to_string(idp.port()) + "/jwks.json",
               "--jwt-jwks-refresh", "3600", "--jwt-jwks-min-interval", "1"});
  const auto header_with = [&](const std::string& extra) {
    return tt::sign_with_header(JWT_ALG_RS256, a.private_pem,
                                R"({"alg":"RS256","kid":"a",)" + extra + "}", good_claims());
  };
  run({
      {"RS256 key a", trainer_token_(), kConnected, 200},
      {"ES256 key e in the same set, starting a job", signed_by(JWT_ALG_ES256, e, "e"), kConnected,
       202, Action::start},
      {"ES256 token naming the RSA key", signed_by(JWT_ALG_ES256, e, "a"), 4001, 401},
      {"another key under kid a", signed_by(JWT_ALG_RS256, b, "a"), 4001, 401},
      {"unknown kid", signed_by(JWT_ALG_RS256, b, "b"), 4001, 401},
      {"a key in the header (jwk)", header_with(R"("jwk":{"kty":"RSA"})"), 4001, 401},
      {"a key URL in the header (jku)", header_with(R"("jku":"http://127.0.0.1:1/k")"), 4001, 401},
      {"a certificate URL in the header (x5u)", header_with(R"("x5u":"http://127.0.0.1:1/c")"),
       4001, 401},
  });

  // The provider rotates: b comes, a goes. The first use of kid b brings a read forward.
  const HttpClient front(front_port_);
  const auto status_with = [&](const std::string& tok) {
    return front.get(jobs_path(kTenant), tok).status;
  };
  const auto old_token = trainer_token_();
  ASSERT_EQ(status_with(old_token), 200);  // the gateway has it cached now
  {
    std::lock_guard lock(mutex);
    published = tt::jwks({tt::public_jwk(b, "b"), tt::public_jwk(e, "e")});
  }
  const auto new_token = signed_by(JWT_ALG_RS256, b, "b");
  EXPECT_TRUE(wait_until([&] { return status_with(new_token) == 200; }, std::chrono::seconds(60)))
      << "the new key never worked";
  EXPECT_EQ(status_with(old_token), 401) << "a removed key still works";
  WsClient old_watcher(front_port_,
                       jobs_path(kTenant) + "/" + job_id_ + "/live?token=" + url_encode(old_token));
  old_watcher.read_until_close();
  EXPECT_EQ(old_watcher.end().code, 4001) << old_watcher.end().describe();

  // Forged kids: at most one read per minimum interval, however many tokens name them.
  const int before = reads.load();
  const auto start = std::chrono::steady_clock::now();
  constexpr int kForged = 40;
  for (int i = 0; i < kForged; ++i) {
    EXPECT_EQ(status_with(signed_by(JWT_ALG_RS256, b, "forged-" + std::to_string(i))), 401);
  }
  const auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start);
  const int during = reads.load() - before;
  EXPECT_LE(during, 2 + static_cast<int>(elapsed.count()))
      << kForged << " forged kids in " << elapsed.count() << " s";
}

INSTANTIATE_TEST_SUITE_P(FrontDoors, TokenTableTest,
                         ::testing::Values(Target::service, Target::gateway),
                         [](const ::testing::TestParamInfo<Target>& info) {
                           return std::string(name_of(info.param));
                         });

}  // namespace
}  // namespace levain::integration
