#pragma once
/// A close code and reason as every hop sends them. RFC 6455 §5.5 leaves 123 bytes for the reason
/// of a close frame, and §5.5.1 wants it valid UTF-8: a longer reason is cut at a character
/// boundary.

#include <boost/beast/websocket/rfc6455.hpp>
#include <cstdint>
#include <string>

namespace levain::common::ws {

/// RFC 6455 §7.4 and the IANA registry: the codes a close frame may carry (ws::FrameReader
/// answers any other with 1002; Beast 1.81 took 5000 and above for valid).
constexpr bool is_valid_close_code(std::uint16_t code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
         (code >= 3000 && code <= 4999);
}

/// `reason` cut to at most 120 bytes at a character boundary.
inline std::string fit_close_reason(std::string reason) {
  constexpr std::size_t kMax = 120;
  if (reason.size() > kMax) {
    auto cut = kMax;
    while (cut > 0 && (static_cast<unsigned char>(reason[cut]) & 0xC0u) == 0x80u) --cut;
    reason.resize(cut);
  }
  return reason;
}

inline boost::beast::websocket::close_reason make_close_reason(std::uint16_t code,
                                                               std::string reason) {
  return boost::beast::websocket::close_reason(
      static_cast<boost::beast::websocket::close_code>(code), fit_close_reason(std::move(reason)));
}

}  // namespace levain::common::ws
