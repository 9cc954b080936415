// libFuzzer target for what a WebSocket client may send a server (ws::FrameReader): the input
// is the byte stream after the handshake. Oracles: nothing crashes; the events are the same
// whether the bytes come whole or in pieces (the first byte picks their size); nothing follows a
// close or an error; a message is never over the bound, and a text one is UTF-8; a close carries
// no code or a valid one; an error closes with 1002, 1007 or 1009.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "common/utf8.hpp"
#include "common/ws/close_reason.hpp"
#include "common/ws/frame_reader.hpp"

namespace {

using levain::common::ws::FrameReader;
using levain::common::ws::ReadEvent;
using Kind = ReadEvent::Kind;

constexpr std::size_t kMax = 64;

void require(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "ws_frame_fuzz invariant violated: %s\n", what);
  std::abort();
}

struct Seen {
  Kind kind;
  bool text;
  std::uint16_t code;
  std::string payload;
  bool operator==(const Seen&) const = default;
};

std::vector<Seen> read_all(std::string_view bytes, std::size_t step) {
  FrameReader reader(kMax);
  std::vector<Seen> seen;
  bool ended = false;
  for (std::size_t at = 0; at < bytes.size() && !ended;) {
    const auto piece = std::min(step, bytes.size() - at);
    auto in = bytes.substr(at, piece);
    at += piece;
    while (!in.empty()) {
      ReadEvent e;
      const auto used = reader.feed(in, e);
      require(used <= in.size(), "took more than it was given");
      in.remove_prefix(used);
      if (e.kind != Kind::none) {
        require(!ended, "an event after a close or an error");
        seen.push_back({e.kind, e.text, e.code, std::string(e.payload)});
        ended = e.kind == Kind::close || e.kind == Kind::error;
      }
      if (used == 0) {
        require(ended, "stalled without ending");
        break;
      }
    }
  }
  return seen;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t step = 1 + data[0] % 7;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  const auto whole = read_all(bytes, bytes.size() + 1);
  require(read_all(bytes, step) == whole, "pieces read differently from the whole");
  for (const auto& e : whole) {
    switch (e.kind) {
      case Kind::message:
        require(e.payload.size() <= kMax, "a message over the bound");
        require(!e.text || levain::common::valid_utf8(e.payload), "a text message not UTF-8");
        break;
      case Kind::ping:
      case Kind::pong:
        require(e.payload.size() <= 125, "a control payload over 125 bytes");
        break;
      case Kind::close:
        require(e.code == 0 || levain::common::ws::is_valid_close_code(e.code), "close code");
        require(levain::common::valid_utf8(e.payload), "a close reason not UTF-8");
        break;
      case Kind::error:
        require(e.code == 1002 || e.code == 1007 || e.code == 1009, "error code");
        break;
      case Kind::none:
        require(false, "an empty event kept");
    }
  }
  return 0;
}
