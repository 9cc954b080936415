// The server side of RFC 6455 §5 as a table: what a client's bytes read as, whole and one byte at
// a time, and the code each broken rule closes with. Also the server's frame headers, close
// payloads and the handshake's accept key.
#include "common/ws/frame_reader.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/ws/frame_writer.hpp"
#include "common/ws/handshake.hpp"

namespace {

using levain::common::ws::FrameReader;
using levain::common::ws::ReadEvent;
using Kind = ReadEvent::Kind;

/// A client frame: `b0` is FIN, RSV and the opcode; the payload is masked unless told.
std::string frame(std::uint8_t b0, const std::string& payload, bool masked = true,
                  int length_bytes = -1) {
  std::string f(1, static_cast<char>(b0));
  const auto n = payload.size();
  const int form = length_bytes >= 0 ? length_bytes : n < 126 ? 0 : n <= 0xFFFF ? 2 : 8;
  const char mask_bit = masked ? '\x80' : '\0';
  if (form == 0) {
    f += static_cast<char>(mask_bit | static_cast<char>(n));
  } else {
    f += static_cast<char>(mask_bit | (form == 2 ? 126 : 127));
    for (int i = form - 1; i >= 0; --i) f += static_cast<char>((n >> (8 * i)) & 0xFF);
  }
  const std::string mask = "\x12\x34\x56\x78";
  if (masked) f += mask;
  for (std::size_t i = 0; i < n; ++i) {
    f += masked ? static_cast<char>(payload[i] ^ mask[i % 4]) : payload[i];
  }
  return f;
}

std::string close_body(std::uint16_t code, const std::string& reason) {
  return std::string{static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)} + reason;
}

struct Seen {
  Kind kind;
  bool text;
  std::uint16_t code;
  std::string payload;
  bool operator==(const Seen&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Seen& s) {
  return os << "{kind " << static_cast<int>(s.kind) << ", text " << s.text << ", code " << s.code
            << ", '" << s.payload << "'}";
}

/// Every event `bytes` read as, fed in pieces of `step` bytes (0: all at once).
std::vector<Seen> read_all(const std::string& bytes, std::size_t step = 0, std::size_t max = 4096) {
  FrameReader reader(max);
  std::vector<Seen> seen;
  for (std::size_t at = 0; at < bytes.size();) {
    const auto piece = step == 0 ? bytes.size() - at : std::min(step, bytes.size() - at);
    std::string_view in(bytes.data() + at, piece);
    at += piece;
    while (!in.empty()) {
      ReadEvent e;
      const auto used = reader.feed(in, e);
      in.remove_prefix(used);
      if (e.kind != Kind::none) {
        const bool text = e.kind == Kind::message && e.text;
        seen.push_back({e.kind, text, e.code, std::string(e.payload)});
      }
      if (used == 0) return seen;  // the reader is done
    }
  }
  return seen;
}

Seen msg(const std::string& p, bool text = true) { return {Kind::message, text, 0, p}; }
Seen err(std::uint16_t code, const std::string& why) { return {Kind::error, false, code, why}; }

struct Case {
  const char* name;
  std::string bytes;
  std::vector<Seen> expected;
  std::size_t max = 4096;
};

TEST(FrameReader, WhatAClientsBytesReadAs) {
  const std::string big(300, 'x');
  const std::vector<Case> cases = {
      {"a text message", frame(0x81, "hello"), {msg("hello")}},
      {"a binary message",
       frame(0x82, std::string("\0\1", 2)),
       {msg(std::string("\0\1", 2), false)}},
      {"an empty text message", frame(0x81, ""), {msg("")}},
      {"two fragments", frame(0x01, "hel") + frame(0x80, "lo"), {msg("hello")}},
      {"a ping inside a fragmented message",
       frame(0x01, "he") + frame(0x89, "p") + frame(0x80, "y"),
       {{Kind::ping, false, 0, "p"}, msg("hey")}},
      {"a pong", frame(0x8A, "x"), {{Kind::pong, false, 0, "x"}}},
      {"a 16-bit length", frame(0x81, big), {msg(big)}},
      {"a message of the largest size", frame(0x81, "12345678"), {msg("12345678")}, 8},
      {"a close with code and reason",
       frame(0x88, close_body(1000, "bye")),
       {{Kind::close, false, 1000, "bye"}}},
      {"a close with no code", frame(0x88, ""), {{Kind::close, false, 0, ""}}},
      {"nothing after a close",
       frame(0x88, "") + frame(0x81, "late"),
       {{Kind::close, false, 0, ""}}},
      {"an unmasked frame", frame(0x81, "hi", false), {err(1002, "client frame not masked")}},
      {"a reserved bit", frame(0xC1, "hi"), {err(1002, "reserved bits set")}},
      {"an unknown opcode", frame(0x83, "hi"), {err(1002, "unknown opcode")}},
      {"a continuation first",
       frame(0x80, "hi"),
       {err(1002, "continuation frame with no message begun")}},
      {"a new message inside one",
       frame(0x01, "a") + frame(0x81, "b"),
       {err(1002, "new message inside a fragmented one")}},
      {"a fragmented ping", frame(0x09, "p"), {err(1002, "fragmented control frame")}},
      {"a ping of 126 bytes",
       frame(0x89, std::string(126, 'p')),
       {err(1002, "control frame longer than 125 bytes")}},
      {"a 16-bit length under 126",
       frame(0x81, "hi", true, 2),
       {err(1002, "frame length not in its shortest form")}},
      {"a 64-bit length under 65536",
       frame(0x81, "hi", true, 8),
       {err(1002, "frame length not in its shortest form")}},
      {"a 64-bit length with the top bit",
       std::string("\x81\xFF\x80\0\0\0\0\0\0\0\0\0\0\0", 14),
       {err(1002, "frame length not in its shortest form")}},
      {"a close of one byte", frame(0x88, "\x03"), {err(1002, "close payload of one byte")}},
      {"a close with 5000", frame(0x88, close_body(5000, "")), {err(1002, "invalid close code")}},
      {"a close with 1005", frame(0x88, close_body(1005, "")), {err(1002, "invalid close code")}},
      {"a close reason not UTF-8",
       frame(0x88, close_body(1000, "\xC3")),
       {err(1007, "close reason not UTF-8")}},
      {"text not UTF-8 across fragments",
       frame(0x01, "a\xC3") + frame(0x80, "b"),
       {err(1007, "text message not UTF-8")}},
      {"binary is not checked for UTF-8", frame(0x82, "\xC3"), {msg("\xC3", false)}},
      {"a message one byte too big", frame(0x81, "123456789"), {err(1009, "message too big")}, 8},
      {"too big across fragments, before the second is read",
       frame(0x01, "12345") + frame(0x80, "6789"),
       {err(1009, "message too big")},
       8},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(read_all(c.bytes, 0, c.max), c.expected);
    EXPECT_EQ(read_all(c.bytes, 1, c.max), c.expected) << "one byte at a time";
    EXPECT_EQ(read_all(c.bytes, 3, c.max), c.expected) << "three bytes at a time";
  }
}

TEST(FrameReader, ManyMessagesInOneReadComeOneEventPerFeed) {
  const auto bytes = frame(0x81, "a") + frame(0x89, "") + frame(0x81, "b");
  FrameReader reader(4096);
  std::string_view in(bytes);
  ReadEvent e;
  in.remove_prefix(reader.feed(in, e));
  EXPECT_EQ(e.kind, Kind::message);
  EXPECT_EQ(e.payload, "a");
  in.remove_prefix(reader.feed(in, e));
  EXPECT_EQ(e.kind, Kind::ping);
  in.remove_prefix(reader.feed(in, e));
  EXPECT_EQ(e.payload, "b");
  EXPECT_TRUE(in.empty());
}

TEST(FrameReader, AServersFramesMustNotBeMaskedAndOurClientFramesReadBack) {
  using levain::common::ws::frame_header;
  using levain::common::ws::masked_frame;
  ReadEvent e;
  FrameReader from_server(4096, FrameReader::Peer::server);
  const std::string unmasked = std::string(frame_header(0x1, 2).view()) + "hi";
  EXPECT_EQ(from_server.feed(unmasked, e), unmasked.size());
  EXPECT_EQ(e.kind, Kind::message);
  EXPECT_EQ(e.payload, "hi");
  FrameReader strict(4096, FrameReader::Peer::server);
  strict.feed(frame(0x81, "hi"), e);
  EXPECT_EQ(e.kind, Kind::error);
  EXPECT_EQ(e.code, 1002);
  EXPECT_EQ(e.payload, "server frame masked");
  // What the gateway writes to a replica reads back, at every length form, as a client's frame.
  for (const std::size_t n : {0, 5, 125, 126, 65535, 65536}) {
    const std::string payload(n, 'p');
    FrameReader from_client(1 << 20);
    const auto bytes = masked_frame(0x1, payload, {9, 8, 7, 6});
    EXPECT_EQ(from_client.feed(bytes, e), bytes.size());
    EXPECT_EQ(e.kind, Kind::message) << n;
    EXPECT_EQ(e.payload, payload) << n;
  }
}

TEST(FrameReader, ServerFrameHeadersUseTheShortestLength) {
  using levain::common::ws::frame_header;
  EXPECT_EQ(frame_header(0x1, 0).view(), std::string("\x81\x00", 2));
  EXPECT_EQ(frame_header(0x1, 125).view(), std::string("\x81\x7D", 2));
  EXPECT_EQ(frame_header(0x2, 126).view(), std::string("\x82\x7E\x00\x7E", 4));
  EXPECT_EQ(frame_header(0x1, 65535).view(), std::string("\x81\x7E\xFF\xFF", 4));
  EXPECT_EQ(frame_header(0x1, 65536).view(),
            std::string("\x81\x7F\x00\x00\x00\x00\x00\x01\x00\x00", 10));
  EXPECT_EQ(frame_header(0x8, 2).view(), std::string("\x88\x02", 2));
}

TEST(FrameReader, ClosePayloadsCarryTheCodeAndAReasonCutAtACharacter) {
  using levain::common::ws::close_payload;
  EXPECT_EQ(close_payload(0, "ignored"), "");
  EXPECT_EQ(close_payload(4029, "full"), close_body(4029, "full"));
  std::string long_reason(119, 'a');
  long_reason += "\xC3\xA9";  // é across the 120-byte cut
  EXPECT_EQ(close_payload(1008, long_reason), close_body(1008, std::string(119, 'a')));
}

TEST(FrameReader, TheAcceptKeyOfRfc6455sExample) {
  EXPECT_EQ(levain::common::ws::accept_key("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

}  // namespace
