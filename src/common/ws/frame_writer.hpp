#pragma once
/// What a server writes in RFC 6455 §5 (frame headers: never masked, FIN set, the length in its
/// shortest form), what a client writes (the same, masked), and close payloads. Pure, so the
/// framing (common/live/ws_framing.hpp), the gateway's hop to a replica and the tests share one
/// encoder.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace levain::common::ws {

namespace opcode {
constexpr std::uint8_t continuation = 0x0;
constexpr std::uint8_t text = 0x1;
constexpr std::uint8_t binary = 0x2;
constexpr std::uint8_t close = 0x8;
constexpr std::uint8_t ping = 0x9;
constexpr std::uint8_t pong = 0xA;
}  // namespace opcode

struct FrameHeader {
  std::array<char, 10> bytes{};
  std::size_t size = 0;
  std::string_view view() const { return {bytes.data(), size}; }
};

/// The header of one whole, unmasked frame of `length` payload bytes.
inline FrameHeader frame_header(std::uint8_t op, std::uint64_t length) {
  FrameHeader h;
  h.bytes[0] = static_cast<char>(0x80u | op);
  if (length < 126) {
    h.bytes[1] = static_cast<char>(length);
    h.size = 2;
    return h;
  }
  const std::size_t n = length <= 0xFFFF ? 2 : 8;
  h.bytes[1] = static_cast<char>(n == 2 ? 126 : 127);
  for (std::size_t i = 0; i < n; ++i) {
    h.bytes[2 + i] = static_cast<char>((length >> (8 * (n - 1 - i))) & 0xFFu);
  }
  h.size = 2 + n;
  return h;
}

/// A close frame's payload: no code (0) is an empty payload, else the code and the reason cut to
/// fit (close_reason.hpp).
std::string close_payload(std::uint16_t code, std::string_view reason);

/// A whole client frame (§5.3): the header with the mask bit and `mask`, the payload masked.
std::string masked_frame(std::uint8_t op, std::string_view payload,
                         const std::array<std::uint8_t, 4>& mask);

}  // namespace levain::common::ws
