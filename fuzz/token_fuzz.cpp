// libFuzzer target for token extraction, parsing and verification (src/auth) under HS256, RS256
// and ES256 configurations. The first input byte s chooses the case:
//   s % 3        configured algorithm: HS256, RS256, ES256
//   (s / 3) % 3  0: the rest is raw text, used as the Authorization header and as ?token=
//                1: the rest is "header-json \n payload-json \n signature-bytes", base64url-encoded
//                   into a token (so the JSON paths are reached)
//                2: as 1, but signed with the configured key (so the claim checks are reached);
//                   a signature segment starting with an odd byte instead forges a key-confusion
//                   token (HMAC keyed with the public key PEM)
//   (s / 9) % 2  whether an issuer and an audience are configured
// Oracles: nothing crashes or throws; an accepted token has the configured `alg`, a signature
// that OpenSSL verifies independently and an `exp` in the future; a refusal has a
// message, short and printable, that does not echo the token.
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "auth/base64url.hpp"
#include "auth/token.hpp"
#include "fuzz_keys.hpp"

namespace levain::fuzz {
namespace {

using auth::Algorithm;

constexpr std::int64_t kNow = 1'800'000'000;  // 2027-01-15: fixed, so every run is reproducible
constexpr const char* kIssuer = "https://idp.example/";
constexpr const char* kAudience = "levain";
constexpr std::size_t kMaxMessage = 160;

void require(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "token_fuzz invariant violated: %s\n", what);
  std::abort();
}

struct Harness {
  FuzzKeys keys;
  std::vector<auth::TokenVerifier> verifiers;  // index: algorithm * 2 + strict

  Harness() {
    for (const Algorithm algorithm : {Algorithm::HS256, Algorithm::RS256, Algorithm::ES256}) {
      for (const bool strict : {false, true}) {
        auth::VerifierConfig config;
        config.algorithm = algorithm;
        config.key = keys.verifier_key(algorithm);
        if (strict) {
          config.issuer = kIssuer;
          config.audience = kAudience;
        }
        verifiers.emplace_back(std::move(config));
      }
    }
  }
};

/// libFuzzer's entry point takes no context, so the keys and verifiers live for the process.
const Harness& harness() {
  static const Harness instance;
  return instance;
}

bool printable(std::string_view text) {
  for (const char c : text) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

/// The oracle for one verification: a refusal is explained safely, an acceptance is really valid.
void check(const auth::TokenVerifier& verifier, const FuzzKeys& keys, std::string_view token) {
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(kNow));
  const auth::VerifyResult result = verifier.verify(token, now);
  const auth::VerifierConfig& config = verifier.config();
  if (!result) {
    require(!result.message.empty(), "a refusal has a message");
    require(printable(result.message), "a refusal message is printable ASCII");
    // Echoed attacker text would show as an unbounded message, or one holding a token longer
    // than any fixed wording (short tokens can be substrings of the wording itself).
    require(result.message.size() <= kMaxMessage, "a refusal message is short");
    require(token.size() < kMaxMessage || result.message.find(token) == std::string::npos,
            "a refusal message does not echo the token");
    return;
  }
  const std::size_t first = token.find('.');
  const std::size_t second = token.find('.', first + 1);
  require(first != std::string_view::npos && second != std::string_view::npos &&
              token.find('.', second + 1) == std::string_view::npos,
          "an accepted token has three segments");
  const auto header = auth::base64url_decode(token.substr(0, first));
  const auto payload = auth::base64url_decode(token.substr(first + 1, second - first - 1));
  const auto signature = auth::base64url_decode(token.substr(second + 1));
  require(header && payload && signature, "an accepted token is valid base64url");
  const boost::json::value header_json = boost::json::parse(*header);
  const boost::json::value* alg = header_json.as_object().if_contains("alg");
  require(alg != nullptr && alg->is_string() && alg->get_string() == to_string(config.algorithm),
          "an accepted token carries the configured alg");
  require(keys.signature_valid(config.algorithm, token.substr(0, second), *signature),
          "an accepted token's signature verifies independently");
  require(result.claims->expires_at + config.leeway.count() > kNow,
          "an accepted token has not expired");
  if (!config.issuer.empty()) {
    const boost::json::value payload_json = boost::json::parse(*payload);
    const boost::json::value* iss = payload_json.as_object().if_contains("iss");
    require(iss != nullptr && iss->is_string() && iss->get_string() == config.issuer,
            "an accepted token has the configured issuer");
  }
}

void raw_case(const Harness& h, const auth::TokenVerifier& verifier, std::string_view text) {
  if (const auto token = auth::extract_token(text, "")) {
    require(!token->empty(), "an extracted token is not empty");
    require(text.find(*token) != std::string_view::npos, "a header token comes from the header");
    require(token->front() != ' ' && token->front() != '\t' && token->back() != ' ' &&
                token->back() != '\t',
            "an extracted token is trimmed");
    check(verifier, h.keys, *token);
  } else {
    require(auth::extract_token(text, "q") == std::optional<std::string>("q"),
            "the query token is the fallback");
  }
  const auto from_query = auth::extract_token("", text);
  require(text.empty() ? !from_query : from_query == std::optional<std::string>(text),
          "the query token is taken verbatim");
  check(verifier, h.keys, text);
}

void structured_case(const Harness& h, const auth::TokenVerifier& verifier, std::string_view rest,
                     bool sign) {
  std::string_view parts[3];
  for (int i = 0; i < 2; ++i) {
    const std::size_t cut = rest.find('\n');
    parts[i] = rest.substr(0, cut);
    rest = cut == std::string_view::npos ? std::string_view() : rest.substr(cut + 1);
  }
  parts[2] = rest;
  const std::string signing_input =
      auth::base64url_encode(parts[0]) + "." + auth::base64url_encode(parts[1]);
  std::string signature(parts[2]);
  if (sign) {
    const Algorithm algorithm = verifier.config().algorithm;
    const bool confuse = !parts[2].empty() && (static_cast<unsigned char>(parts[2][0]) & 1U);
    signature = confuse ? hmac_sha256(h.keys.verifier_key(algorithm), signing_input)
                        : h.keys.sign(algorithm, signing_input);
  }
  const std::string token = signing_input + "." + auth::base64url_encode(signature);
  require(auth::extract_token("Bearer " + token, "") == std::optional<std::string>(token),
          "a Bearer header yields its token");
  check(verifier, h.keys, token);
}

}  // namespace
}  // namespace levain::fuzz

// Key generation (RSA especially) is slow and variable: do it before the clock of the first input.
extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  levain::fuzz::harness();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace levain::fuzz;
  if (size == 0) return 0;
  const Harness& h = harness();
  const unsigned selector = data[0];
  const unsigned algorithm = selector % 3;
  const unsigned mode = (selector / 3) % 3;
  const unsigned strict = (selector / 9) % 2;
  const auto& verifier = h.verifiers[algorithm * 2 + strict];
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (mode == 0) {
    raw_case(h, verifier, rest);
  } else {
    structured_case(h, verifier, rest, mode == 2);
  }
  return 0;
}
