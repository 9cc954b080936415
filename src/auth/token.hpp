#pragma once
/// Bearer-token (JWT) verification shared by the gateway and the training service (DESIGN.md §2).
/// The accepted algorithms and keys come from configuration only (one key, or the identity
/// provider's key set: auth/key_ring.hpp), never from the token; every check is explicit here
/// because libjwt 1.10 validates nothing beyond the signature. Signatures are checked with
/// OpenSSL directly (auth/signature.hpp says why); libjwt only mints.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace levain::auth {
namespace detail {
class SignatureCheck;
}
class KeyRing;

enum class Algorithm { HS256, RS256, ES256 };

/// "HS256" / "RS256" / "ES256" (exact spelling); anything else is nullopt.
std::optional<Algorithm> parse_algorithm(std::string_view name);
std::string_view to_string(Algorithm algorithm);

struct VerifierConfig {
  Algorithm algorithm = Algorithm::HS256;
  std::string key;  // HS256: the shared secret; RS256/ES256: PEM public key text
  /// When set, keys come from this JWKS instead of `key`: the token's `kid` selects one, and
  /// its algorithm is the key's (RS256 or ES256; `algorithm` is then not used).
  std::shared_ptr<KeyRing> key_ring;
  std::string issuer;    // checked when non-empty
  std::string audience;  // checked when non-empty (aud may be a string or an array)
  std::chrono::seconds leeway{30};
  std::size_t max_token_bytes = 8192;
};

struct Claims {
  std::string subject;
  std::vector<std::string> tenants;
  std::vector<std::string> roles;
  std::int64_t expires_at = 0;  // exp, Unix seconds

  bool grants(std::string_view tenant) const;
  bool has_role(std::string_view role) const;
};

enum class Failure {
  missing,
  too_large,
  malformed,
  wrong_algorithm,
  wrong_type,    // header typ names something other than an access token (docs/security.md)
  embedded_key,  // the header carries or points at a key (jwk, jku, x5u, x5c): never trusted
  unknown_key,   // the header's kid names no key of the key set
  bad_signature,
  expired,
  not_yet_valid,
  missing_exp,
  wrong_issuer,
  wrong_audience,
  bad_claims
};
std::string_view to_string(Failure failure);

struct VerifyResult {
  std::optional<Claims> claims;        // set on success
  Failure failure = Failure::missing;  // meaningful when !claims
  std::string message;  // a human sentence; never echoes the token or attacker-chosen text
  explicit operator bool() const { return claims.has_value(); }
};

/// Verifies tokens against one immutable configuration; safe to share between threads.
class TokenVerifier {
 public:
  /// Throws std::invalid_argument for an unusable config (empty secret, a PEM that is not a
  /// public key of the configured algorithm's type, negative or absurd leeway, zero size limit).
  explicit TokenVerifier(VerifierConfig config);

  VerifyResult verify(std::string_view token, std::chrono::system_clock::time_point now) const;

  const VerifierConfig& config() const { return config_; }
  /// Changes when the key set does (always 0 for a configured key): a verdict cached under an
  /// older generation must be checked again.
  std::uint64_t key_generation() const;

 private:
  VerifierConfig config_;
  std::shared_ptr<const detail::SignatureCheck> signature_;
};

/// Reads a public key (or JWKS) file of at most `max_bytes`; throws std::runtime_error naming
/// the path.
std::string read_key_file(const std::string& path, std::size_t max_bytes = 64 * 1024);

struct MintRequest {
  std::string subject = "levain-cli";
  std::vector<std::string> tenants;
  std::vector<std::string> roles;
  std::chrono::seconds ttl{3600};
  std::chrono::system_clock::time_point now;
  std::string issuer;
  std::string audience;
};

/// Signs an HS256 token (for `levain token` and tests). Throws std::invalid_argument on an empty
/// secret or a non-positive ttl.
std::string mint_hs256(const MintRequest& request, std::string_view secret);

/// Picks the token from "Authorization: Bearer X" or else from the ?token= query value (already
/// percent-decoded by the caller). nullopt when neither carries a token.
std::optional<std::string> extract_token(std::string_view authorization_header,
                                         std::string_view query_token);

}  // namespace levain::auth
