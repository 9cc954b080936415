// The token suite DESIGN.md §2 and the gateway issue ask for: one row per attack or mistake,
// each asserting the exact Failure (or acceptance).
#include <gtest/gtest.h>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <functional>
#include <optional>

#include "auth/base64url.hpp"
#include "auth/token.hpp"
#include "test_tokens.hpp"

namespace levain::auth {
namespace {

using testing::assemble;
using testing::KeyPair;
using testing::replace_segment;
using testing::sign;

constexpr std::int64_t kNow = 1'780'000'000;  // 2026-05-28T20:26:40Z
constexpr const char* kSecret = "correct horse battery staple";

/// Key pairs made on first use: RSA generation dominates the run time under ASan, and ctest
/// runs each row in its own process.
class Keys {
 public:
  const KeyPair& rsa() const {
    return get(rsa_, [] { return testing::make_rsa_key(); });
  }
  const KeyPair& rsa_other() const {
    return get(rsa_other_, [] { return testing::make_rsa_key(); });
  }
  const KeyPair& ec() const {
    return get(ec_, [] { return testing::make_ec_key(); });
  }

 private:
  template <typename Make>
  static const KeyPair& get(std::optional<KeyPair>& slot, Make make) {
    if (!slot) slot = make();
    return *slot;
  }
  mutable std::optional<KeyPair> rsa_;
  mutable std::optional<KeyPair> rsa_other_;
  mutable std::optional<KeyPair> ec_;
};

enum class Setup { hs256, rs256, es256, hs256_iss_aud };

struct Case {
  const char* name;
  Setup setup;
  std::function<std::string(const Keys&)> token;
  std::optional<Failure> expected;  // nullopt: accepted
};

boost::json::object claims() {
  return {{"sub", "ana"},
          {"tenants", boost::json::array{"bakery-1", "bakery-2"}},
          {"roles", boost::json::array{"trainer"}},
          {"iat", kNow - 60},
          {"exp", kNow + 3600}};
}

boost::json::object claims_with(std::function<void(boost::json::object&)> change) {
  boost::json::object result = claims();
  change(result);
  return result;
}

std::string hs(const boost::json::object& c) { return sign(JWT_ALG_HS256, kSecret, c); }

VerifierConfig config_for(Setup setup, const Keys& keys) {
  VerifierConfig config;
  switch (setup) {
    case Setup::hs256:
      config.key = kSecret;
      break;
    case Setup::hs256_iss_aud:
      config.key = kSecret;
      config.issuer = "https://idp.example";
      config.audience = "levain";
      break;
    case Setup::rs256:
      config.algorithm = Algorithm::RS256;
      config.key = keys.rsa().public_pem;
      break;
    case Setup::es256:
      config.algorithm = Algorithm::ES256;
      config.key = keys.ec().public_pem;
      break;
  }
  return config;
}

// An HS256 token whose header carries `typ` (libjwt itself always writes "JWT").
std::function<std::string(const Keys&)> typed(std::string typ) {
  return [typ](const Keys&) {
    return testing::sign_with_header(JWT_ALG_HS256, kSecret,
                                     R"({"alg":"HS256","typ":")" + typ + R"("})", claims());
  };
}

std::string iss_aud_token(boost::json::value iss, boost::json::value aud) {
  return hs(claims_with([&](auto& c) {
    c["iss"] = iss;
    c["aud"] = aud;
  }));
}

const std::vector<Case>& cases() {
  using F = Failure;
  static const std::vector<Case> table = {
      {"none", Setup::hs256, [](auto&) { return std::string(); }, F::missing},
      {"garbage", Setup::hs256, [](auto&) { return std::string("not a token at all"); },
       F::malformed},
      {"garbage_base64_chars", Setup::hs256, [](auto&) { return std::string("abc"); },
       F::malformed},
      {"two_segments", Setup::hs256,
       [](auto&) {
         const std::string t = hs(claims());
         return t.substr(0, t.rfind('.'));
       },
       F::malformed},
      {"four_segments", Setup::hs256, [](auto&) { return hs(claims()) + ".AAAA"; }, F::malformed},
      {"bad_base64_header", Setup::hs256,
       [](auto&) { return replace_segment(hs(claims()), 0, "eyJhbGciOiJIUzI1NiJ9A"); },
       F::malformed},
      {"bad_base64_signature", Setup::hs256,
       [](auto&) { return replace_segment(hs(claims()), 2, "A"); }, F::malformed},
      {"payload_not_json", Setup::hs256,
       [](auto&) { return replace_segment(hs(claims()), 1, base64url_encode("{\"exp\":")); },
       F::malformed},
      {"payload_not_object", Setup::hs256,
       [](auto&) { return replace_segment(hs(claims()), 1, base64url_encode("[1,2]")); },
       F::malformed},
      {"header_without_alg", Setup::hs256,
       [](auto&) { return assemble("{\"typ\":\"JWT\"}", "{\"exp\":1}", "sig"); }, F::malformed},
      {"critical_header", Setup::hs256,
       [](auto&) { return assemble(R"({"alg":"HS256","crit":["exp"]})", "{\"exp\":1}", "sig"); },
       F::malformed},
      {"embedded_nul", Setup::hs256,
       [](auto&) { return hs(claims()) + std::string(1, '\0') + "x"; }, F::malformed},
      {"alg_none", Setup::hs256,
       [](auto&) {
         return assemble(R"({"alg":"none","typ":"JWT"})", boost::json::serialize(claims()), "");
       },
       F::wrong_algorithm},
      {"alg_with_nul_then_text", Setup::hs256,
       [](auto&) {
         // Found by fuzz/token_fuzz: the text after the NUL was echoed into the message.
         return assemble(R"({"alg":"HS256\u0000\r\nforged log line"})",
                         boost::json::serialize(claims()), "sig");
       },
       F::wrong_algorithm},
      {"alg_none_against_rs256", Setup::rs256,
       [](auto&) { return assemble(R"({"alg":"none"})", boost::json::serialize(claims()), ""); },
       F::wrong_algorithm},
      {"key_confusion_hs256_with_public_pem", Setup::rs256,
       [](const Keys& k) { return sign(JWT_ALG_HS256, k.rsa().public_pem, claims()); },
       F::wrong_algorithm},
      {"hs512_against_hs256", Setup::hs256,
       [](auto&) { return sign(JWT_ALG_HS512, kSecret, claims()); }, F::wrong_algorithm},
      {"es256_against_rs256", Setup::rs256,
       [](const Keys& k) { return sign(JWT_ALG_ES256, k.ec().private_pem, claims()); },
       F::wrong_algorithm},
      {"wrong_secret", Setup::hs256,
       [](auto&) { return sign(JWT_ALG_HS256, "another secret", claims()); }, F::bad_signature},
      {"wrong_rsa_key", Setup::rs256,
       [](const Keys& k) { return sign(JWT_ALG_RS256, k.rsa_other().private_pem, claims()); },
       F::bad_signature},
      {"wrong_ec_key", Setup::es256,
       [](auto&) { return sign(JWT_ALG_ES256, testing::make_ec_key().private_pem, claims()); },
       F::bad_signature},
      {"tampered_payload", Setup::hs256,
       [](auto&) {
         const auto more = claims_with([](auto& c) {
           c["tenants"] = boost::json::array{"bakery-1", "bakery-2", "bakery-3"};
         });
         return replace_segment(hs(claims()), 1, base64url_encode(boost::json::serialize(more)));
       },
       F::bad_signature},
      {"tampered_header", Setup::hs256,
       [](auto&) {
         return replace_segment(hs(claims()), 0,
                                base64url_encode(R"({"alg":"HS256","typ":"JWT","kid":"x"})"));
       },
       F::bad_signature},
      {"tampered_rs256_payload", Setup::rs256,
       [](const Keys& k) {
         const std::string t = sign(JWT_ALG_RS256, k.rsa().private_pem, claims());
         const auto more = claims_with([](auto& c) { c["roles"] = boost::json::array{"admin"}; });
         return replace_segment(t, 1, base64url_encode(boost::json::serialize(more)));
       },
       F::bad_signature},
      {"signature_stripped", Setup::hs256,
       [](auto&) { return replace_segment(hs(claims()), 2, ""); }, F::bad_signature},
      {"expired", Setup::hs256,
       [](auto&) { return hs(claims_with([](auto& c) { c["exp"] = kNow - 3600; })); }, F::expired},
      {"expired_exactly_at_leeway", Setup::hs256,
       [](auto&) { return hs(claims_with([](auto& c) { c["exp"] = kNow - 30; })); }, F::expired},
      {"expired_within_leeway", Setup::hs256,
       [](auto&) { return hs(claims_with([](auto& c) { c["exp"] = kNow - 10; })); }, std::nullopt},
      {"nbf_in_future", Setup::hs256,
       [](auto&) { return hs(claims_with([](auto& c) { c["nbf"] = kNow + 600; })); },
       F::not_yet_valid},
      {"nbf_within_leeway", Setup::hs256,
       [](auto&) { return hs(claims_with([](auto& c) { c["nbf"] = kNow + 20; })); }, std::nullopt},
      {"iat_in_future", Setup::hs256,
       [](auto&) { return hs(claims_with([](auto& c) { c["iat"] = kNow + 600; })); },
       F::not_yet_valid},
      {"missing_exp", Setup::hs256,
       [](auto&) { return hs(claims_with([](auto& c) { c.erase("exp"); })); }, F::missing_exp},
      {"exp_not_a_number", Setup::hs256,
       [](auto&) { return hs(claims_with([](auto& c) { c["exp"] = "tomorrow"; })); },
       F::bad_claims},
      {"exp_fractional", Setup::hs256,
       [](auto&) { return hs(claims_with([](auto& c) { c["exp"] = kNow + 100.5; })); },
       std::nullopt},
      {"wrong_issuer", Setup::hs256_iss_aud,
       [](auto&) { return iss_aud_token("https://evil.example", "levain"); }, F::wrong_issuer},
      {"missing_issuer", Setup::hs256_iss_aud,
       [](auto&) { return hs(claims_with([](auto& c) { c["aud"] = "levain"; })); },
       F::wrong_issuer},
      {"wrong_audience", Setup::hs256_iss_aud,
       [](auto&) { return iss_aud_token("https://idp.example", "someone-else"); },
       F::wrong_audience},
      {"audience_array_without_ours", Setup::hs256_iss_aud,
       [](auto&) {
         return iss_aud_token("https://idp.example", boost::json::array{"a", 1});
       },
       F::wrong_audience},
      {"audience_array_with_ours", Setup::hs256_iss_aud,
       [](auto&) {
         return iss_aud_token("https://idp.example", boost::json::array{"other", "levain"});
       },
       std::nullopt},
      {"issuer_and_audience_match", Setup::hs256_iss_aud,
       [](auto&) { return iss_aud_token("https://idp.example", "levain"); }, std::nullopt},
      {"tenants_not_array", Setup::hs256,
       [](auto&) { return hs(claims_with([](auto& c) { c["tenants"] = "bakery-1"; })); },
       F::bad_claims},
      {"tenants_array_of_numbers", Setup::hs256,
       [](auto&) { return hs(claims_with([](auto& c) {
                     c["tenants"] = {1, 2};
                   })); },
       F::bad_claims},
      {"tenants_missing", Setup::hs256,
       [](auto&) { return hs(claims_with([](auto& c) { c.erase("tenants"); })); }, F::bad_claims},
      {"roles_not_array", Setup::hs256,
       [](auto&) { return hs(claims_with([](auto& c) { c["roles"] = "trainer"; })); },
       F::bad_claims},
      {"sub_not_string", Setup::hs256,
       [](auto&) { return hs(claims_with([](auto& c) { c["sub"] = 42; })); }, F::bad_claims},
      {"oversized", Setup::hs256,
       [](auto&) {
         return hs(claims_with([](auto& c) { c["padding"] = std::string(9000, 'x'); }));
       },
       F::too_large},
      {"valid_hs256", Setup::hs256, [](auto&) { return hs(claims()); }, std::nullopt},
      {"valid_rs256", Setup::rs256,
       [](const Keys& k) { return sign(JWT_ALG_RS256, k.rsa().private_pem, claims()); },
       std::nullopt},
      {"valid_es256", Setup::es256,
       [](const Keys& k) { return sign(JWT_ALG_ES256, k.ec().private_pem, claims()); },
       std::nullopt},
      {"valid_without_optional_claims", Setup::hs256,
       [](auto&) {
         return hs(boost::json::object{{"exp", kNow + 60}, {"tenants", boost::json::array{}}});
       },
       std::nullopt},
      // RFC 9068 access tokens as identity providers issue them (issue 13, item 12): libjwt
      // 1.10 alone refused them as "signature is not valid".
      {"typ_at_jwt_rs256", Setup::rs256,
       [](const Keys& k) {
         return testing::sign_with_header(JWT_ALG_RS256, k.rsa().private_pem,
                                          R"({"alg":"RS256","typ":"at+jwt","kid":"k1"})", claims());
       },
       std::nullopt},
      {"typ_at_jwt_es256", Setup::es256,
       [](const Keys& k) {
         return testing::sign_with_header(JWT_ALG_ES256, k.ec().private_pem,
                                          R"({"alg":"ES256","typ":"at+jwt"})", claims());
       },
       std::nullopt},
      {"typ_at_jwt", Setup::hs256, typed("at+jwt"), std::nullopt},
      {"typ_application_at_jwt", Setup::hs256, typed("application/at+jwt"), std::nullopt},
      {"typ_at_jwt_upper_case", Setup::hs256, typed("AT+JWT"), std::nullopt},
      {"typ_jwt_lower_case", Setup::hs256, typed("jwt"), std::nullopt},
      {"typ_application_jwt", Setup::hs256, typed("application/JWT"), std::nullopt},
      {"typ_absent", Setup::hs256,
       [](auto&) {
         return testing::sign_with_header(JWT_ALG_HS256, kSecret, R"({"alg":"HS256"})", claims());
       },
       std::nullopt},
      {"typ_security_event", Setup::hs256, typed("secevent+jwt"), F::wrong_type},
      {"typ_logout_token", Setup::hs256, typed("logout+jwt"), F::wrong_type},
      {"typ_dpop_proof", Setup::hs256, typed("dpop+jwt"), F::wrong_type},
      {"typ_empty", Setup::hs256, typed(""), F::wrong_type},
      {"typ_prefix_only", Setup::hs256, typed("application/"), F::wrong_type},
      {"typ_not_a_string", Setup::hs256,
       [](auto&) {
         return testing::sign_with_header(JWT_ALG_HS256, kSecret, R"({"alg":"HS256","typ":1})",
                                          claims());
       },
       F::malformed},
      {"typ_at_jwt_wrong_secret", Setup::hs256,
       [](auto&) {
         return testing::sign_with_header(JWT_ALG_HS256, "another secret",
                                          R"({"alg":"HS256","typ":"at+jwt"})", claims());
       },
       F::bad_signature},
      {"typ_at_jwt_expired", Setup::rs256,
       [](const Keys& k) {
         return testing::sign_with_header(JWT_ALG_RS256, k.rsa().private_pem,
                                          R"({"alg":"RS256","typ":"at+jwt"})",
                                          claims_with([](auto& c) { c["exp"] = kNow - 3600; }));
       },
       F::expired},
      {"es256_signature_wrong_length", Setup::es256,
       [](const Keys& k) {
         const std::string t = sign(JWT_ALG_ES256, k.ec().private_pem, claims());
         return replace_segment(t, 2, base64url_encode(std::string(63, 'x')));
       },
       F::bad_signature},
      {"duplicate_exp_last_wins", Setup::hs256,
       [](auto&) {
         // RFC 7519 §4: a parser that keeps duplicates must use the last one; an expired last
         // exp must not hide behind a valid first one.
         const std::string payload = R"({"sub":"ana","tenants":["bakery-1"],"exp":)" +
                                     std::to_string(kNow + 3600) + R"(,"exp":)" +
                                     std::to_string(kNow - 3600) + "}";
         return testing::sign_jws(JWT_ALG_HS256, kSecret, R"({"alg":"HS256","typ":"JWT"})",
                                  payload);
       },
       F::expired},
  };
  return table;
}

class TokenSuite : public ::testing::TestWithParam<Case> {
 protected:
  static void SetUpTestSuite() { keys_ = new Keys; }
  static void TearDownTestSuite() {
    delete keys_;
    keys_ = nullptr;
  }
  static Keys* keys_;
};
Keys* TokenSuite::keys_ = nullptr;

TEST_P(TokenSuite, GivesTheExpectedOutcome) {
  const Case& c = GetParam();
  const TokenVerifier verifier(config_for(c.setup, *keys_));
  const std::string token = c.token(*keys_);
  const VerifyResult result =
      verifier.verify(token, std::chrono::system_clock::time_point(std::chrono::seconds(kNow)));
  if (c.expected) {
    ASSERT_FALSE(result) << "accepted a token that should fail with " << to_string(*c.expected);
    EXPECT_EQ(to_string(result.failure), to_string(*c.expected)) << result.message;
    EXPECT_FALSE(result.message.empty());
    if (token.size() > 8) {
      EXPECT_EQ(result.message.find(token), std::string::npos) << "message echoes the token";
    }
    for (const char ch : result.message) {
      ASSERT_TRUE(ch >= 0x20 && ch <= 0x7e) << "message has a control or non-ASCII byte "
                                            << static_cast<int>(static_cast<unsigned char>(ch));
    }
  } else {
    ASSERT_TRUE(result) << to_string(result.failure) << ": " << result.message;
  }
}

INSTANTIATE_TEST_SUITE_P(Auth, TokenSuite, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace levain::auth
