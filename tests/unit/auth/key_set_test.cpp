// Keys from a JWKS: which keys a set yields, which it skips and why, the refresh timing as a
// table, and the verifier choosing a key by kid (rotation, removal, algorithm confusion).
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json/serialize.hpp>
#include <mutex>
#include <stdexcept>

#include "auth/jwks.hpp"
#include "auth/key_ring.hpp"
#include "auth/token.hpp"
#include "test_tokens.hpp"

namespace levain::auth {
namespace {

using namespace std::chrono_literals;
namespace tt = testing;

constexpr std::int64_t kNow = 1'780'000'000;
const auto kNowPoint = std::chrono::system_clock::time_point(std::chrono::seconds(kNow));
const boost::json::object kClaims{{"exp", kNow + 60}, {"tenants", boost::json::array{"t1"}}};

const tt::KeyPair& rsa() {
  static const tt::KeyPair pair = tt::make_rsa_key();
  return pair;
}
const tt::KeyPair& rsa2() {
  static const tt::KeyPair pair = tt::make_rsa_key();
  return pair;
}
const tt::KeyPair& ec() {
  static const tt::KeyPair pair = tt::make_ec_key();
  return pair;
}

std::string refusal(std::string_view json) {
  try {
    parse_jwks(json);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "accepted";
}

TEST(Jwks, TakesRsaAndEcSigningKeysSideBySide) {
  const KeySet set =
      parse_jwks(tt::jwks({tt::public_jwk(rsa(), "r1", "RS256"), tt::public_jwk(ec(), "e1")}));
  ASSERT_EQ(set.keys.size(), 2u);
  EXPECT_EQ(set.find("r1")->algorithm, Algorithm::RS256);
  EXPECT_EQ(set.find("e1")->algorithm, Algorithm::ES256);
  EXPECT_EQ(set.find("nope"), nullptr);
  EXPECT_TRUE(set.skipped.empty());
}

TEST(Jwks, SkipsWhatCannotVerifyTokensAndSaysWhy) {
  auto enc = tt::public_jwk(rsa2(), "enc-1");
  enc["use"] = "enc";
  auto private_key = tt::public_jwk(rsa2(), "priv");
  private_key["d"] = "AQAB";
  auto p384 = tt::public_jwk(ec(), "p384");
  p384["crv"] = "P-384";
  auto off_curve = tt::public_jwk(ec(), "bent");
  off_curve["y"] = off_curve["x"];
  const struct {
    boost::json::object key;
    std::string why;
  } cases[] = {
      {enc, "not a signing key"},
      {private_key, "private key material"},
      {tt::public_jwk(rsa2(), "r384", "RS384"), "RS256 only"},
      {tt::public_jwk(ec(), "e-as-rs", "RS256"), "ES256 only"},
      {tt::public_jwk(tt::make_rsa_key(1024), "small"), "2048"},
      {p384, "P-256"},
      {off_curve, "public key"},
      {{{"kty", "oct"}, {"k", "c2VjcmV0"}, {"kid", "hmac"}}, "key type oct"},
      {{{"kid", "none"}}, "no kty"},
      {tt::public_jwk(rsa(), "good"), "kid repeats"},
  };
  std::vector<boost::json::object> keys{tt::public_jwk(rsa(), "good")};
  for (const auto& c : cases) keys.push_back(c.key);
  const KeySet set = parse_jwks(tt::jwks(keys));
  ASSERT_EQ(set.keys.size(), 1u);
  ASSERT_EQ(set.skipped.size(), std::size(cases));
  for (std::size_t i = 0; i < std::size(cases); ++i) {
    EXPECT_NE(set.skipped[i].find(cases[i].why), std::string::npos) << set.skipped[i];
    EXPECT_NE(set.skipped[i].find("key " + std::to_string(i + 2)), std::string::npos);
  }
}

TEST(Jwks, RefusesWhatIsNotAKeySet) {
  EXPECT_NE(refusal("[]").find("'keys' array"), std::string::npos);
  EXPECT_NE(refusal("{\"keys\":{}}").find("'keys' array"), std::string::npos);
  EXPECT_NE(refusal("not json").find("'keys' array"), std::string::npos);
  EXPECT_NE(refusal("{\"keys\":[]}").find("no RS256 or ES256"), std::string::npos);
  EXPECT_NE(refusal(tt::jwks({{{"kty", "oct"}}})).find("key type oct"), std::string::npos);
  EXPECT_NE(refusal(std::string(kMaxJwksBytes + 1, ' ')).find("256 KiB"), std::string::npos);
  std::vector<boost::json::object> many(kMaxJwksKeys + 1, tt::public_jwk(ec(), ""));
  EXPECT_NE(refusal(tt::jwks(many)).find("more than 100"), std::string::npos);
}

TEST(RefreshPlan, Table) {
  using C = RefreshPlan::Clock;
  const C::time_point t0{};
  struct Step {
    const char* what;
    std::chrono::seconds at;
    int action;  // 0 good read, 1 failed read, 2 unknown kid
    std::chrono::seconds due;
  };
  // refresh 300 s, at most one read per 30 s.
  const Step steps[] = {
      {"good read: next on schedule", 0s, 0, 300s},
      {"unknown kid: 30 s after the last read", 5s, 2, 30s},
      {"another unknown kid: nothing moves", 6s, 2, 30s},
      {"the early read, good", 30s, 0, 330s},
      {"failed read: retry after the minimum", 100s, 1, 130s},
      {"unknown kid after a failure: still the minimum", 101s, 2, 130s},
      {"good read", 400s, 0, 700s},
      {"unknown kid 50 s after the last read: due at once", 450s, 2, 430s},
  };
  RefreshPlan plan(300s, 30s);
  for (const auto& s : steps) {
    if (s.action == 2) {
      plan.unknown_kid();
    } else {
      plan.read(t0 + s.at, s.action == 0);
    }
    EXPECT_EQ(plan.due() - t0, s.due) << s.what;
  }
}

/// A key set served from memory: what an IdP would answer, and how often it was asked.
struct FakeIdp {
  std::mutex mutex;
  std::string body;
  bool down = false;
  std::atomic<int> reads{0};
  KeyRing::Fetch fetch() {
    return [this] {
      ++reads;
      std::lock_guard lock(mutex);
      if (down) throw std::runtime_error("connection refused");
      return body;
    };
  }
  void serve(std::string text) {
    std::lock_guard lock(mutex);
    body = std::move(text);
  }
};

VerifierConfig ring_config(const std::shared_ptr<KeyRing>& ring) {
  VerifierConfig config;
  config.key_ring = ring;
  return config;
}

TEST(KeyRing, StartFailsWithTheSourceNamedWhenTheFirstReadFails) {
  FakeIdp idp;
  idp.down = true;
  KeyRing ring("--jwt-jwks-url http://idp", idp.fetch(), {});
  try {
    ring.start();
    ADD_FAILURE() << "started without keys";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("--jwt-jwks-url http://idp"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("connection refused"), std::string::npos);
  }
  idp.down = false;
  idp.serve("{\"keys\":[]}");
  EXPECT_THROW(ring.start(), std::runtime_error);
}

TEST(KeyRing, KidSelectsTheKeyAndTheKeyDecidesTheAlgorithm) {
  FakeIdp idp;
  idp.serve(tt::jwks({tt::public_jwk(rsa(), "r1"), tt::public_jwk(ec(), "e1")}));
  auto ring = std::make_shared<KeyRing>("test", idp.fetch(), KeyRingOptions{3600s, 3600s});
  ring->start();
  const TokenVerifier verifier(ring_config(ring));
  EXPECT_TRUE(
      verifier.verify(tt::sign_kid(JWT_ALG_RS256, rsa().private_pem, "r1", kClaims), kNowPoint));
  EXPECT_TRUE(
      verifier.verify(tt::sign_kid(JWT_ALG_ES256, ec().private_pem, "e1", kClaims), kNowPoint));

  const struct {
    const char* what;
    std::string token;
    Failure failure;
  } refused[] = {
      {"signed by another key under a known kid",
       tt::sign_kid(JWT_ALG_RS256, rsa2().private_pem, "r1", kClaims), Failure::bad_signature},
      {"ES256 token naming the RSA key",
       tt::sign_kid(JWT_ALG_ES256, ec().private_pem, "r1", kClaims), Failure::wrong_algorithm},
      {"unknown kid", tt::sign_kid(JWT_ALG_RS256, rsa().private_pem, "r9", kClaims),
       Failure::unknown_key},
      {"no kid", tt::sign(JWT_ALG_RS256, rsa().private_pem, kClaims), Failure::unknown_key},
      {"HS256 with the RSA key's text as secret",
       tt::sign_with_header(JWT_ALG_HS256, rsa().public_pem, R"({"alg":"HS256","kid":"r1"})",
                            kClaims),
       Failure::wrong_algorithm},
      {"a jwk in the header",
       tt::sign_with_header(JWT_ALG_RS256, rsa().private_pem,
                            R"({"alg":"RS256","kid":"r1","jwk":{"kty":"RSA"}})", kClaims),
       Failure::embedded_key},
      {"a jku in the header",
       tt::sign_with_header(JWT_ALG_RS256, rsa().private_pem,
                            R"({"alg":"RS256","kid":"r1","jku":"http://evil/jwks"})", kClaims),
       Failure::embedded_key},
      {"an x5u in the header",
       tt::sign_with_header(JWT_ALG_RS256, rsa().private_pem,
                            R"({"alg":"RS256","kid":"r1","x5u":"http://evil/cert"})", kClaims),
       Failure::embedded_key},
  };
  for (const auto& r : refused) {
    const auto result = verifier.verify(r.token, kNowPoint);
    EXPECT_FALSE(result) << r.what;
    EXPECT_EQ(result.failure, r.failure) << r.what << ": " << result.message;
    EXPECT_EQ(result.message.find("r9"), std::string::npos) << "echoes the kid";
  }
}

TEST(KeyRing, ARotationIsPickedUpAndARemovedKeyStopsWorking) {
  FakeIdp idp;
  idp.serve(tt::jwks({tt::public_jwk(rsa(), "old")}));
  // Reads at most once a second: the unknown kid below brings the read forward to then.
  auto ring = std::make_shared<KeyRing>("test", idp.fetch(), KeyRingOptions{3600s, 1s});
  ring->start();
  const TokenVerifier verifier(ring_config(ring));
  const auto old_token = tt::sign_kid(JWT_ALG_RS256, rsa().private_pem, "old", kClaims);
  const auto new_token = tt::sign_kid(JWT_ALG_ES256, ec().private_pem, "new", kClaims);
  ASSERT_TRUE(verifier.verify(old_token, kNowPoint));
  const auto generation = verifier.key_generation();

  idp.serve(tt::jwks({tt::public_jwk(ec(), "new")}));
  EXPECT_EQ(verifier.verify(new_token, kNowPoint).failure, Failure::unknown_key);
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (!verifier.verify(new_token, kNowPoint) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(verifier.verify(new_token, kNowPoint)) << "the new key never arrived";
  EXPECT_EQ(verifier.verify(old_token, kNowPoint).failure, Failure::unknown_key);
  EXPECT_GT(verifier.key_generation(), generation);
}

TEST(KeyRing, AFailedReadKeepsTheLastGoodSet) {
  FakeIdp idp;
  idp.serve(tt::jwks({tt::public_jwk(rsa(), "r1")}));
  auto ring = std::make_shared<KeyRing>("test", idp.fetch(), KeyRingOptions{3600s, 1s});
  ring->start();
  const TokenVerifier verifier(ring_config(ring));
  const auto token = tt::sign_kid(JWT_ALG_RS256, rsa().private_pem, "r1", kClaims);
  for (const bool down : {true, false}) {
    // Down, then up but serving garbage: both are failed reads.
    idp.down = down;
    if (!down) idp.serve("<html>maintenance</html>");
    const auto failures = ring->failed_reads();
    verifier.verify(tt::sign_kid(JWT_ALG_RS256, rsa().private_pem, "unknown", kClaims), kNowPoint);
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (ring->failed_reads() == failures && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(20ms);
    }
    EXPECT_GT(ring->failed_reads(), failures);
    EXPECT_TRUE(verifier.verify(token, kNowPoint)) << "lost the last good set";
  }
}

TEST(KeyRing, AStreamOfUnknownKidsReadsAtMostOncePerInterval) {
  FakeIdp idp;
  idp.serve(tt::jwks({tt::public_jwk(rsa(), "r1")}));
  auto ring = std::make_shared<KeyRing>("test", idp.fetch(), KeyRingOptions{3600s, 3600s});
  ring->start();
  const TokenVerifier verifier(ring_config(ring));
  for (int i = 0; i < 500; ++i) {
    const auto forged =
        tt::sign_kid(JWT_ALG_RS256, rsa().private_pem, "forged-" + std::to_string(i), kClaims);
    EXPECT_EQ(verifier.verify(forged, kNowPoint).failure, Failure::unknown_key);
  }
  // The start's read only: the next may come an hour after it.
  EXPECT_EQ(idp.reads.load(), 1);
}

}  // namespace
}  // namespace levain::auth
