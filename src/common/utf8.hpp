#pragma once
/// UTF-8 well-formedness (RFC 3629, Unicode table 3-7): one rule for the JSON writer, which
/// replaces what is not well formed, and for the CSV parsers, which refuse names that are not.
/// Header-only so the forecast library, which links no networking code, can share it.

#include <cstddef>
#include <string_view>

namespace levain::common {

struct Utf8Step {
  std::size_t length;  // bytes this step covers; at least 1 while bytes remain
  bool valid;          // false: `length` bytes are one maximal ill-formed subpart
};

/// The step at `s[i]` (i < s.size()): a whole well-formed code point, or the longest prefix of
/// one that could still have been well formed (so "\xE2\x82" is one bad step, as in Unicode's
/// "maximal subpart" practice that Python and the WHATWG decoders follow). Overlong forms,
/// surrogates (U+D800-U+DFFF) and values past U+10FFFF are ill formed.
inline Utf8Step utf8_step(std::string_view s, std::size_t i) {
  const auto lead = static_cast<unsigned char>(s[i]);
  if (lead < 0x80) return {1, true};
  std::size_t need = 0;
  unsigned char lo = 0x80;  // allowed range of the second byte; later bytes are 80-BF
  unsigned char hi = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    need = 1;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    need = 2;
    if (lead == 0xE0) lo = 0xA0;  // below is overlong
    if (lead == 0xED) hi = 0x9F;  // above is a surrogate
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    need = 3;
    if (lead == 0xF0) lo = 0x90;  // below is overlong
    if (lead == 0xF4) hi = 0x8F;  // above is past U+10FFFF
  } else {
    return {1, false};  // a continuation byte, C0/C1 (always overlong) or F5-FF
  }
  std::size_t k = 1;
  for (; k <= need && i + k < s.size(); ++k) {
    const auto c = static_cast<unsigned char>(s[i + k]);
    if (c < lo || c > hi) return {k, false};
    lo = 0x80;
    hi = 0xBF;
  }
  return {k, k == need + 1};
}

/// True when all of `s` is well-formed UTF-8.
inline bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto step = utf8_step(s, i);
    if (!step.valid) return false;
    i += step.length;
  }
  return true;
}

}  // namespace levain::common
