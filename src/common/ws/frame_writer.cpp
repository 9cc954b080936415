#include "common/ws/frame_writer.hpp"

#include "common/ws/close_reason.hpp"

namespace levain::common::ws {

std::string close_payload(std::uint16_t code, std::string_view reason) {
  if (code == 0) return {};
  std::string out;
  out.push_back(static_cast<char>(code >> 8));
  out.push_back(static_cast<char>(code & 0xFFu));
  out += fit_close_reason(std::string(reason));
  return out;
}

std::string masked_frame(std::uint8_t op, std::string_view payload,
                         const std::array<std::uint8_t, 4>& mask) {
  auto header = frame_header(op, payload.size());
  header.bytes[1] = static_cast<char>(static_cast<std::uint8_t>(header.bytes[1]) | 0x80u);
  std::string out(header.view());
  out.append(reinterpret_cast<const char*>(mask.data()), mask.size());
  const auto start = out.size();
  out += payload;
  for (std::size_t i = start; i < out.size(); ++i) {
    out[i] = static_cast<char>(static_cast<std::uint8_t>(out[i]) ^ mask[(i - start) & 3u]);
  }
  return out;
}

}  // namespace levain::common::ws
