#pragma once
/// Unpadded base64url (RFC 4648 §5) as JWS uses it. Decoding is strict so that a token we call
/// well-formed is one libjwt will read the same way.

#include <optional>
#include <string>
#include <string_view>

namespace levain::auth {

std::string base64url_encode(std::string_view bytes);

/// nullopt on a character outside the alphabet, padding, an impossible length, or non-zero
/// leftover bits (which would let two spellings decode to the same bytes).
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace levain::auth
