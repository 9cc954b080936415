// The small pieces around verification: where the token comes from, --ttl parsing, minting,
// names, and the base64url codec the shape check relies on.
#include <gtest/gtest.h>

#include <set>

#include "auth/base64url.hpp"
#include "auth/duration.hpp"
#include "auth/token.hpp"

namespace levain::auth {
namespace {

using std::chrono::seconds;

TEST(ExtractToken, PrefersTheBearerHeader) {
  EXPECT_EQ(extract_token("Bearer abc.def.ghi", ""), "abc.def.ghi");
  EXPECT_EQ(extract_token("Bearer abc", "query"), "abc");
  EXPECT_EQ(extract_token("bearer   abc  ", ""), "abc");
  EXPECT_EQ(extract_token("BEARER\tabc", ""), "abc");
  EXPECT_EQ(extract_token("  Bearer abc", ""), "abc");
}

TEST(ExtractToken, FallsBackToTheQuery) {
  EXPECT_EQ(extract_token("", "q.t.s"), "q.t.s");
  EXPECT_EQ(extract_token("Basic dXNlcjpwYXNz", "q"), "q");
  EXPECT_EQ(extract_token("Bearer", "q"), "q");
  EXPECT_EQ(extract_token("Bearer    ", "q"), "q");
  EXPECT_EQ(extract_token("Bearerabc", "q"), "q");
}

TEST(ExtractToken, NothingWhenNeitherCarriesAToken) {
  EXPECT_EQ(extract_token("", ""), std::nullopt);
  EXPECT_EQ(extract_token("Bearer ", ""), std::nullopt);
  EXPECT_EQ(extract_token("Basic abc", ""), std::nullopt);
  EXPECT_EQ(extract_token("Bearerabc", ""), std::nullopt);
}

TEST(ParseDuration, AcceptsUnitsAndPlainSeconds) {
  EXPECT_EQ(parse_duration("90s"), seconds(90));
  EXPECT_EQ(parse_duration("15m"), seconds(900));
  EXPECT_EQ(parse_duration("1h"), seconds(3600));
  EXPECT_EQ(parse_duration("7d"), seconds(7 * 86400));
  EXPECT_EQ(parse_duration("3600"), seconds(3600));
  EXPECT_EQ(parse_duration("1"), seconds(1));
}

TEST(ParseDuration, RefusesZeroNegativeOverflowAndGarbage) {
  for (const char* bad : {"",
                          "0",
                          "0s",
                          "00h",
                          "-5",
                          "-5m",
                          "+5",
                          "1.5h",
                          "h",
                          "s",
                          "1w",
                          "1 h",
                          " 1h",
                          "1h ",
                          "1hh",
                          "abc",
                          "1e3",
                          "99999999999999999999",
                          "9223372036854775807d",
                          "106751991167301d"}) {
    EXPECT_EQ(parse_duration(bad), std::nullopt) << '"' << bad << '"';
  }
  EXPECT_EQ(parse_duration("9223372036854775807"), seconds(9223372036854775807LL));
}

TEST(Names, AlgorithmsRoundTripAndFailuresAreDistinct) {
  for (const Algorithm algorithm : {Algorithm::HS256, Algorithm::RS256, Algorithm::ES256}) {
    EXPECT_EQ(parse_algorithm(to_string(algorithm)), algorithm);
  }
  EXPECT_EQ(parse_algorithm("none"), std::nullopt);
  EXPECT_EQ(parse_algorithm("hs256"), std::nullopt);
  EXPECT_EQ(parse_algorithm("HS512"), std::nullopt);

  std::set<std::string_view> names;
  for (int i = 0; i <= static_cast<int>(Failure::bad_claims); ++i) {
    names.insert(to_string(static_cast<Failure>(i)));
  }
  EXPECT_EQ(names.size(), 14U);
  EXPECT_EQ(to_string(Failure::wrong_algorithm), "wrong_algorithm");
}

TEST(Claims, GrantsAndRolesAreExactMatches) {
  Claims claims;
  claims.tenants = {"bakery-1", "bakery-2"};
  claims.roles = {"trainer"};
  EXPECT_TRUE(claims.grants("bakery-1"));
  EXPECT_TRUE(claims.grants("bakery-2"));
  EXPECT_FALSE(claims.grants("bakery"));
  EXPECT_FALSE(claims.grants("BAKERY-1"));
  EXPECT_FALSE(claims.grants(""));
  EXPECT_TRUE(claims.has_role("trainer"));
  EXPECT_FALSE(claims.has_role("Trainer"));
  EXPECT_FALSE(claims.has_role("viewer"));
  EXPECT_FALSE(claims.has_role(""));
  EXPECT_FALSE(Claims{}.grants("bakery-1"));
}

TEST(MintHs256, RoundTripsThroughTheVerifier) {
  const auto now = std::chrono::system_clock::time_point(seconds(1'780'000'000));
  MintRequest request;
  request.tenants = {"bakery-1"};
  request.roles = {"trainer"};
  request.ttl = seconds(600);
  request.now = now;
  request.issuer = "levain";
  request.audience = "levain-api";
  const std::string token = mint_hs256(request, "s3cret");

  VerifierConfig config;
  config.key = "s3cret";
  config.issuer = "levain";
  config.audience = "levain-api";
  const TokenVerifier verifier(config);
  const VerifyResult result = verifier.verify(token, now);
  ASSERT_TRUE(result) << result.message;
  EXPECT_EQ(result.claims->subject, "levain-cli");
  EXPECT_TRUE(result.claims->grants("bakery-1"));
  EXPECT_TRUE(result.claims->has_role("trainer"));
  EXPECT_EQ(result.claims->expires_at, 1'780'000'600);
  EXPECT_EQ(verifier.verify(token, now + seconds(600 + 30)).failure, Failure::expired);
}

TEST(MintHs256, RefusesEmptySecretAndNonPositiveTtl) {
  MintRequest request;
  EXPECT_THROW(mint_hs256(request, ""), std::invalid_argument);
  request.ttl = seconds(0);
  EXPECT_THROW(mint_hs256(request, "s"), std::invalid_argument);
  request.ttl = seconds(-1);
  EXPECT_THROW(mint_hs256(request, "s"), std::invalid_argument);
}

TEST(Base64Url, RoundTripsAndIsStrict) {
  for (const std::string text : {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\xff\xfe"}) {
    EXPECT_EQ(base64url_decode(base64url_encode(text)), text);
  }
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64url_decode("Zm9v"), "foo");
  EXPECT_EQ(base64url_decode("Zg=="), std::nullopt);  // JWS segments carry no padding
  EXPECT_EQ(base64url_decode("Zm9v+"), std::nullopt);
  EXPECT_EQ(base64url_decode("Z"), std::nullopt);
  EXPECT_EQ(base64url_decode("Zh"), std::nullopt);  // non-zero leftover bits
}

}  // namespace
}  // namespace levain::auth
