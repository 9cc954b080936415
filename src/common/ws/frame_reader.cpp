#include "common/ws/frame_reader.hpp"

#include <algorithm>

#include "common/utf8.hpp"
#include "common/ws/close_reason.hpp"
#include "common/ws/frame_writer.hpp"

namespace levain::common::ws {

namespace {

constexpr std::uint8_t kContinuation = opcode::continuation;
constexpr std::uint8_t kText = opcode::text;
constexpr std::uint8_t kBinary = opcode::binary;
constexpr std::uint8_t kClose = opcode::close;
constexpr std::uint8_t kPing = opcode::ping;
constexpr std::uint8_t kPong = opcode::pong;

constexpr std::uint16_t kProtocolError = 1002;
constexpr std::uint16_t kInvalidPayload = 1007;
constexpr std::uint16_t kTooBig = 1009;

bool is_control(std::uint8_t opcode) { return (opcode & 0x8u) != 0; }

/// How long a header is, from its first two bytes: 2, then 2 or 8 for the extended length, and
/// 4 for the mask key if the frame is masked.
std::size_t header_size(const std::array<std::uint8_t, 14>& h) {
  const auto len7 = h[1] & 0x7Fu;
  const std::size_t extended = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
  return 2 + extended + ((h[1] & 0x80u) != 0 ? 4 : 0);
}

}  // namespace

std::size_t FrameReader::feed(std::string_view in, ReadEvent& event) {
  event = ReadEvent{};
  // What the last event showed is given back: an idle connection keeps no buffer.
  if (delivered_ == Delivered::message) std::string().swap(message_);
  if (delivered_ == Delivered::control) std::string().swap(control_);
  delivered_ = Delivered::nothing;
  std::size_t used = 0;
  while (used < in.size() && event.kind == ReadEvent::Kind::none && stage_ != Stage::done) {
    const auto rest = in.substr(used);
    used += stage_ == Stage::header ? read_header(rest, event) : read_payload(rest, event);
  }
  return used;
}

std::size_t FrameReader::read_header(std::string_view in, ReadEvent& event) {
  std::size_t used = 0;
  // The first two bytes, then as many as they say the header has.
  while (used < in.size()) {
    const std::size_t want = header_have_ < 2 ? 2 : header_size(header_);
    if (header_have_ >= want) break;
    header_[header_have_++] = static_cast<std::uint8_t>(in[used++]);
    if (header_have_ == 2 && !check_header(event)) return used;
  }
  if (header_have_ < 2 || header_have_ < header_size(header_)) return used;

  const auto len7 = header_[1] & 0x7Fu;
  std::size_t at = 2;
  std::uint64_t length = len7;
  if (len7 >= 126) {
    const std::size_t bytes = len7 == 126 ? 2 : 8;
    length = 0;
    for (std::size_t i = 0; i < bytes; ++i) length = (length << 8) | header_[at + i];
    at += bytes;
    // §5.2: the shortest form, and a 64-bit length with its top bit clear.
    const bool shortest = len7 == 126 ? length >= 126 : length > 0xFFFF;
    if (!shortest || (length >> 63) != 0) {
      fail(event, kProtocolError, "frame length not in its shortest form");
      return used;
    }
  }
  masked_ = (header_[1] & 0x80u) != 0;
  if (masked_) std::copy_n(header_.begin() + static_cast<std::ptrdiff_t>(at), 4, mask_.begin());
  header_have_ = 0;
  mask_at_ = 0;
  left_ = length;
  if (is_control(opcode_)) {
    if (length > 125) {
      fail(event, kProtocolError, "control frame longer than 125 bytes");
      return used;
    }
    control_.clear();
  } else {
    message_length_ += length;
    if (message_length_ > max_message_) {
      fail(event, kTooBig, "message too big");
      return used;
    }
    message_.reserve(static_cast<std::size_t>(message_length_));
  }
  stage_ = Stage::payload;
  if (left_ == 0) frame_complete(event);
  return used;
}

bool FrameReader::check_header(ReadEvent& event) {
  const auto b0 = header_[0];
  fin_ = (b0 & 0x80u) != 0;
  opcode_ = b0 & 0x0Fu;
  if ((b0 & 0x70u) != 0) {
    fail(event, kProtocolError, "reserved bits set");
    return false;
  }
  const bool masked = (header_[1] & 0x80u) != 0;
  if (peer_ == Peer::client && !masked) {
    fail(event, kProtocolError, "client frame not masked");
    return false;
  }
  if (peer_ == Peer::server && masked) {
    fail(event, kProtocolError, "server frame masked");
    return false;
  }
  switch (opcode_) {
    case kContinuation:
      if (!in_message_) {
        fail(event, kProtocolError, "continuation frame with no message begun");
        return false;
      }
      break;
    case kText:
    case kBinary:
      if (in_message_) {
        fail(event, kProtocolError, "new message inside a fragmented one");
        return false;
      }
      in_message_ = true;
      message_text_ = opcode_ == kText;
      message_length_ = 0;
      break;
    case kClose:
    case kPing:
    case kPong:
      if (!fin_) {
        fail(event, kProtocolError, "fragmented control frame");
        return false;
      }
      break;
    default:
      fail(event, kProtocolError, "unknown opcode");
      return false;
  }
  return true;
}

std::size_t FrameReader::read_payload(std::string_view in, ReadEvent& event) {
  const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(left_, in.size()));
  auto& into = is_control(opcode_) ? control_ : message_;
  const auto start = into.size();
  into.append(in.data(), n);
  if (!masked_) {  // a server's frame
    left_ -= n;
    if (left_ == 0) frame_complete(event);
    return n;
  }
  for (std::size_t i = start; i < into.size(); ++i) {
    into[i] = static_cast<char>(static_cast<std::uint8_t>(into[i]) ^ mask_[mask_at_]);
    mask_at_ = static_cast<std::uint8_t>((mask_at_ + 1) & 3u);
  }
  left_ -= n;
  if (left_ == 0) frame_complete(event);
  return n;
}

void FrameReader::frame_complete(ReadEvent& event) {
  stage_ = Stage::header;
  switch (opcode_) {
    case kPing:
    case kPong:
      event.kind = opcode_ == kPing ? ReadEvent::Kind::ping : ReadEvent::Kind::pong;
      event.payload = control_;
      delivered_ = Delivered::control;
      return;
    case kClose: {
      if (control_.size() == 1) return fail(event, kProtocolError, "close payload of one byte");
      std::uint16_t code = 0;
      std::string_view reason;
      if (control_.size() >= 2) {
        code = static_cast<std::uint16_t>((static_cast<std::uint8_t>(control_[0]) << 8) |
                                          static_cast<std::uint8_t>(control_[1]));
        if (!is_valid_close_code(code)) return fail(event, kProtocolError, "invalid close code");
        reason = std::string_view(control_).substr(2);
        if (!valid_utf8(reason)) return fail(event, kInvalidPayload, "close reason not UTF-8");
      }
      stage_ = Stage::done;
      event.kind = ReadEvent::Kind::close;
      event.code = code;
      event.payload = reason;
      return;
    }
    default:
      break;
  }
  if (!fin_) return;  // more fragments follow
  in_message_ = false;
  if (message_text_ && !valid_utf8(message_)) {
    return fail(event, kInvalidPayload, "text message not UTF-8");
  }
  event.kind = ReadEvent::Kind::message;
  event.text = message_text_;
  event.payload = message_;
  delivered_ = Delivered::message;
}

void FrameReader::fail(ReadEvent& event, std::uint16_t code, std::string_view why) {
  stage_ = Stage::done;
  event.kind = ReadEvent::Kind::error;
  event.code = code;
  event.payload = why;
}

}  // namespace levain::common::ws
