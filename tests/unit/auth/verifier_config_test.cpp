// Construction-time refusals, key files, and properties of accepted tokens that the table
// cannot express (claim contents, messages, signature format, concurrency, mutation).
#include <gtest/gtest.h>

#include <boost/json/array.hpp>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "auth/token.hpp"
#include "test_tokens.hpp"

namespace levain::auth {
namespace {

constexpr std::int64_t kNow = 1'780'000'000;
const auto kNowPoint = std::chrono::system_clock::time_point(std::chrono::seconds(kNow));

VerifierConfig make_config(Algorithm algorithm, std::string key) {
  VerifierConfig config;
  config.algorithm = algorithm;
  config.key = std::move(key);
  return config;
}

void expect_refused(const VerifierConfig& config, const std::string& fragment) {
  try {
    TokenVerifier verifier(config);
    ADD_FAILURE() << "constructor accepted an unusable config";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(TokenVerifierConfig, RefusesUnusableKeys) {
  const testing::KeyPair rsa = testing::make_rsa_key();
  const testing::KeyPair ec = testing::make_ec_key();
  expect_refused(make_config(Algorithm::HS256, ""), "secret is empty");
  expect_refused(make_config(Algorithm::RS256, ""), "no public key");
  expect_refused(make_config(Algorithm::RS256, "-----BEGIN PUBLIC KEY-----\nnope\n"),
                 "not a PEM public key");
  expect_refused(make_config(Algorithm::RS256, "just a secret"), "not a PEM public key");
  expect_refused(make_config(Algorithm::RS256, rsa.private_pem), "private key");
  expect_refused(make_config(Algorithm::RS256, ec.public_pem), "not an RSA key");
  expect_refused(make_config(Algorithm::ES256, rsa.public_pem), "not an EC key");
  expect_refused(make_config(Algorithm::ES256, testing::make_ec_key("P-384").public_pem), "P-256");
  expect_refused(make_config(Algorithm::RS256, testing::make_rsa_key(1024).public_pem), "2048");
}

TEST(TokenVerifierConfig, RefusesBadLimits) {
  VerifierConfig config = make_config(Algorithm::HS256, "s");
  config.leeway = std::chrono::seconds(-1);
  expect_refused(config, "leeway");
  config.leeway = std::chrono::hours(48);
  expect_refused(config, "leeway");
  config.leeway = std::chrono::seconds(0);
  config.max_token_bytes = 0;
  expect_refused(config, "max_token_bytes");
}

TEST(TokenVerifierConfig, AcceptsPemWithSurroundingText) {
  const testing::KeyPair ec = testing::make_ec_key();
  const std::string key = "issuer key, rotated 2026-01\n" + ec.public_pem + "\n# end\n";
  const TokenVerifier verifier(make_config(Algorithm::ES256, key));
  const std::string token = testing::sign(JWT_ALG_ES256, ec.private_pem,
                                          {{"exp", kNow + 60}, {"tenants", boost::json::array{}}});
  EXPECT_TRUE(verifier.verify(token, kNowPoint));
}

TEST(ReadKeyFile, ReadsAFileAndNamesThePathOnFailure) {
  const auto dir =
      std::filesystem::temp_directory_path() /
      ("levain-auth-test-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  std::filesystem::create_directories(dir);
  const auto path = dir / "key.pem";
  std::ofstream(path) << "-----BEGIN PUBLIC KEY-----\n";
  EXPECT_EQ(read_key_file(path.string()), "-----BEGIN PUBLIC KEY-----\n");

  for (const auto& bad : {dir / "missing.pem", dir}) {
    try {
      read_key_file(bad.string());
      ADD_FAILURE() << "read " << bad;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(bad.string()), std::string::npos) << e.what();
    }
  }
  std::filesystem::remove_all(dir);
}

TEST(TokenVerifierResult, CarriesTheClaims) {
  const TokenVerifier verifier(make_config(Algorithm::HS256, "s3cret"));
  const std::string token = testing::sign(JWT_ALG_HS256, "s3cret",
                                          {{"sub", "ana"},
                                           {"tenants", boost::json::array{"bakery-1"}},
                                           {"roles", boost::json::array{"trainer", "viewer"}},
                                           {"exp", kNow + 60}});
  const VerifyResult result = verifier.verify(token, kNowPoint);
  ASSERT_TRUE(result) << result.message;
  EXPECT_EQ(result.claims->subject, "ana");
  EXPECT_EQ(result.claims->tenants, std::vector<std::string>{"bakery-1"});
  EXPECT_EQ(result.claims->roles, (std::vector<std::string>{"trainer", "viewer"}));
  EXPECT_EQ(result.claims->expires_at, kNow + 60);
}

TEST(TokenVerifierResult, ExplainsExpiryWithATimestamp) {
  const TokenVerifier verifier(make_config(Algorithm::HS256, "s3cret"));
  const std::string token = testing::sign(JWT_ALG_HS256, "s3cret",
                                          {{"exp", 1795773600}, {"tenants", boost::json::array{}}});
  const VerifyResult result = verifier.verify(
      token, std::chrono::system_clock::time_point(std::chrono::seconds(1795780000)));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.failure, Failure::expired);
  EXPECT_EQ(result.message, "token expired at 2026-11-27T10:00:00Z");
}

TEST(TokenVerifierResult, Es256SignaturesAreRawJoseFormat) {
  // An IdP's ES256 signature is r||s (64 bytes, 86 base64url chars), not DER; libjwt must agree.
  const testing::KeyPair ec = testing::make_ec_key();
  const std::string token = testing::sign(JWT_ALG_ES256, ec.private_pem,
                                          {{"exp", kNow + 60}, {"tenants", boost::json::array{}}});
  EXPECT_EQ(token.size() - token.rfind('.') - 1, 86U);
}

TEST(TokenVerifierResult, KeyConfusionWouldPassLibjwtAlone) {
  // Why the algorithm is pinned: libjwt 1.10 happily verifies an HS256 token whose "secret" is
  // the RS256 public key text, so only our check refuses it.
  const testing::KeyPair rsa = testing::make_rsa_key();
  const TokenVerifier verifier(make_config(Algorithm::RS256, rsa.public_pem));
  const std::string forged = testing::sign(
      JWT_ALG_HS256, rsa.public_pem, {{"exp", kNow + 60}, {"tenants", boost::json::array{"t"}}});
  jwt_t* raw = nullptr;
  EXPECT_EQ(jwt_decode(&raw, forged.c_str(),
                       reinterpret_cast<const unsigned char*>(rsa.public_pem.data()),
                       static_cast<int>(rsa.public_pem.size())),
            0);
  jwt_free(raw);
  const VerifyResult result = verifier.verify(forged, kNowPoint);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.failure, Failure::wrong_algorithm);
  EXPECT_EQ(result.message, "token is signed with 'HS256', but only RS256 is accepted");
}

TEST(TokenVerifierResult, SharedAcrossThreads) {
  const testing::KeyPair ec = testing::make_ec_key();
  const TokenVerifier verifier(make_config(Algorithm::ES256, ec.public_pem));
  const std::string good = testing::sign(
      JWT_ALG_ES256, ec.private_pem, {{"exp", kNow + 60}, {"tenants", boost::json::array{"t"}}});
  const std::string bad = good.substr(0, good.size() - 4) + "AAAA";
  std::vector<int> accepted(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        accepted[t] += verifier.verify(good, kNowPoint) ? 1 : 0;
        accepted[t] += verifier.verify(bad, kNowPoint) ? 1 : 0;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (const int count : accepted) EXPECT_EQ(count, 50);
}

TEST(TokenVerifierResult, NoMutationOfAValidTokenIsAccepted) {
  // A cheap deterministic stand-in for the fuzzer: every truncation and every single-character
  // substitution must be refused cleanly (ASan/UBSan watch for the crash cases).
  const TokenVerifier verifier(make_config(Algorithm::HS256, "s3cret"));
  const std::string token = testing::sign(
      JWT_ALG_HS256, "s3cret", {{"exp", kNow + 60}, {"tenants", boost::json::array{"t"}}});
  ASSERT_TRUE(verifier.verify(token, kNowPoint));
  for (std::size_t length = 0; length < token.size(); ++length) {
    EXPECT_FALSE(verifier.verify(token.substr(0, length), kNowPoint)) << length;
  }
  for (std::size_t i = 0; i < token.size(); ++i) {
    for (const char replacement : {'A', 'z', '.', '-', '\0', '\xff'}) {
      if (token[i] == replacement) continue;
      std::string mutated = token;
      mutated[i] = replacement;
      EXPECT_FALSE(verifier.verify(mutated, kNowPoint)) << i << " " << int(replacement);
    }
  }
}

}  // namespace
}  // namespace levain::auth
