#pragma once
/// A WebSocket client that does by hand what a well-behaved client library will not: send any
/// close code and any frame, flood pings without ever reading, with a tiny receive buffer. A
/// blocking POSIX socket; every read and write has a deadline (SO_RCVTIMEO / SO_SNDTIMEO), so a
/// server that stops talking or reading fails the test instead of hanging it.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace levain::integration {

struct RawWsOptions {
  std::optional<int> receive_buffer_bytes;  // SO_RCVBUF before connecting
  std::optional<int> max_segment_bytes;     // TCP_MAXSEG before connecting (see WsOptions)
  std::chrono::seconds deadline{30};        // each read and each write
};

namespace opcode {
inline constexpr std::uint8_t continuation = 0x0, text = 0x1, close = 0x8, ping = 0x9;
}

class RawWs {
 public:
  struct Frame {
    std::uint8_t opcode = 0;
    bool fin = true;
    std::string payload;
  };

  /// Connects and upgrades to `target` on 127.0.0.1:port; ok() says whether the 101 came.
  RawWs(std::uint16_t port, const std::string& target, RawWsOptions options = {});
  ~RawWs();
  RawWs(const RawWs&) = delete;
  RawWs& operator=(const RawWs&) = delete;

  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }

  /// Sends one masked frame; false once the connection is gone or the send timed out.
  bool send(std::uint8_t opcode, std::string_view payload, bool fin = true);
  /// Sends `count` such frames in one write, as a flooding client does.
  bool send_many(std::uint8_t opcode, std::string_view payload, int count);
  /// A close frame with this code (and reason), whatever the code.
  bool send_close(std::uint16_t code, std::string_view reason = {});

  /// The next frame, or nullopt when the connection ended or the deadline passed (error()).
  std::optional<Frame> read_frame();
  /// Reads until a close frame and returns its code (1005 for a close without one), or nullopt
  /// when the connection ended without a close frame.
  std::optional<int> read_close_code();

 private:
  static std::string frame(std::uint8_t opcode, std::string_view payload, bool fin);
  bool send_bytes(const std::string& bytes);
  bool fill();  // reads more into buffer_
  int fd_ = -1;
  bool ok_ = false;
  std::string error_;
  std::string buffer_;  // read but not consumed
};

}  // namespace levain::integration
