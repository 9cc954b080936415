#pragma once
/// RFC 6455 §5 as a pure parser: the bytes a client sent the server (or, for the gateway's hop
/// to a replica, a server sent its client) in, one event out at a time (a message, a ping, a pong,
/// the peer's close, or a protocol error with the code to close with). No I/O and no clock, so
/// every rule has a table test and a fuzz target.
///
/// Why not Beast's `websocket::stream`: its state is 2.4 KiB per connection (1.5 KiB of it a
/// fixed frame buffer), more than everything else an idle watcher holds together. What a watcher
/// needs of the read side is small: clients send pings (a few bytes), pongs and a close. This
/// reader is about 120 bytes, plus the message in progress (no heap between messages).
///
/// Rules (each broken one is an error event, and the connection closes with its code):
/// - 1002: reserved bits set (no extension is ever agreed), an unknown opcode, a client's frame
///   unmasked or a server's masked, a control frame that is fragmented or longer than 125 bytes, a
///   length not in its shortest form or with the top bit set, a continuation with no message begun
///   or a new message inside one, a close payload of one byte or with a code RFC 6455 does not
///   allow;
/// - 1009: a message longer than the bound (counted across its fragments, before any is kept);
/// - 1007: a text message or a close reason that is not UTF-8.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace levain::common::ws {

struct ReadEvent {
  enum class Kind : std::uint8_t { none, message, ping, pong, close, error };
  Kind kind = Kind::none;
  bool text = false;         // message: a text message (else binary)
  std::uint16_t code = 0;    // close: the peer's code (0: none given); error: the code to send
  std::string_view payload;  // message, ping, pong: the payload; close: the reason; error: why
};

class FrameReader {
 public:
  /// Who sends what is read: a client's frames must be masked, a server's must not (§5.1).
  enum class Peer : std::uint8_t { client, server };

  explicit FrameReader(std::size_t max_message_bytes, Peer peer = Peer::client)
      : max_message_(max_message_bytes), peer_(peer) {}

  /// Reads from `in` until one event is complete or `in` is used up, and returns how many bytes
  /// it took. `event.kind` is none when more bytes are needed. The event's views are valid until
  /// the next call. After an error or a close nothing more is read (feed returns 0).
  std::size_t feed(std::string_view in, ReadEvent& event);

 private:
  enum class Stage : std::uint8_t { header, payload, done };
  enum class Delivered : std::uint8_t { nothing, message, control };

  std::size_t read_header(std::string_view in, ReadEvent& event);
  std::size_t read_payload(std::string_view in, ReadEvent& event);
  bool check_header(ReadEvent& event);
  void frame_complete(ReadEvent& event);
  void fail(ReadEvent& event, std::uint16_t code, std::string_view why);

  std::size_t max_message_;
  Peer peer_;
  std::string message_;               // the data message in progress (its fragments so far)
  std::string control_;               // the control frame in progress (at most 125 bytes)
  std::uint64_t left_ = 0;            // payload bytes of this frame still to come
  std::uint64_t message_length_ = 0;  // bytes of the message in progress, counted before kept
  std::array<std::uint8_t, 14> header_{};
  std::array<std::uint8_t, 4> mask_{};
  std::uint8_t header_have_ = 0;
  std::uint8_t mask_at_ = 0;  // the mask byte for the next payload byte
  std::uint8_t opcode_ = 0;   // of the frame being read
  bool fin_ = false;
  bool masked_ = false;      // the frame being read
  bool in_message_ = false;  // a text or binary frame without FIN was read
  bool message_text_ = false;
  Stage stage_ = Stage::header;
  Delivered delivered_ = Delivered::nothing;  // freed at the next feed
};

}  // namespace levain::common::ws
