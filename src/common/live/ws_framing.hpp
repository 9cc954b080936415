#pragma once
/// The WebSocket framing of a live connection (sender.hpp), the server side of RFC 6455 written
/// for what a watcher is: one unmasked text (or binary) frame per message, written whole into
/// the coalescing layer; on one timer, ticking at half the idle timeout, a ping to a peer silent
/// for a tick and a cut when it stays silent for the next, then the close handshake bounded by
/// the close timeout. The reads are the transport's (ws_transport.hpp, with ws::FrameReader);
/// it tells this object what it heard.
///
/// Why not Beast's `websocket::stream`: see frame_reader.hpp. Measured, an idle watcher holds
/// 2.2 KiB less with this than with Beast's (docs/benchmarks.md).

#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "common/live/limits.hpp"
#include "common/live/transport.hpp"
#include "common/ws/coalescing_stream.hpp"
#include "common/ws/frame_writer.hpp"
#include "common/ws/hop_timer.hpp"

namespace levain::common::live {

template <class NextLayer>
class WsFraming {
 public:
  using Layer = ws::CoalescingStream<NextLayer>;

  WsFraming(NextLayer&& stream, const Limits& limits)
      : layer_(std::move(stream)), timer_(layer_.get_executor()), limits_(limits) {}

  Layer& layer() { return layer_; }

  /// Queues the 101 (`response`) and sends it; from here on the idle clock runs (its waits keep
  /// `owner` alive).
  void accept(std::string_view response, const std::shared_ptr<void>& owner) {
    boost::beast::error_code ec;
    layer_.write_some(boost::asio::buffer(response.data(), response.size()), ec);
    layer_.flush();
    state_ = State::open;
    tick(owner);
  }

  // --- what Sender needs ---
  std::size_t size(std::string_view message, const MessageMeta&) const { return message.size(); }
  bool open() const { return state_ == State::open; }
  bool write(std::string_view message, const MessageMeta& meta) {
    if (state_ != State::open) return false;
    const auto header =
        ws::frame_header(meta.text ? ws::opcode::text : ws::opcode::binary, message.size());
    const std::array<boost::asio::const_buffer, 2> frame{
        boost::asio::buffer(header.bytes.data(), header.size),
        boost::asio::buffer(message.data(), message.size())};
    boost::beast::error_code ec;
    layer_.write_some(frame, ec);
    return !ec;  // fails only with the socket: the transport's read fails as well and ends it
  }
  /// Our close: from here no pings are answered, and the peer has the close timeout to answer.
  void close(std::uint16_t code, const std::string& reason, const std::shared_ptr<void>& keep) {
    send_close(code, reason);
    deadline(keep);
  }

  // --- what the transport tells it ---
  /// Bytes came from the peer: it is alive.
  void heard() { timer_.heard(); }
  void pong(std::string_view payload) {
    if (state_ == State::open) own_frame(ws::opcode::pong, payload);
  }
  /// The conversation ends (the peer's close, or a protocol error): our close goes out with
  /// `code` unless it already did, and the close timeout bounds what is left.
  void end(std::uint16_t code, std::string_view reason, const std::shared_ptr<void>& keep) {
    if (state_ == State::open) send_close(code, reason);
    state_ = State::closed;
    deadline(keep);
  }
  /// The peer is gone: the clock stops (its wait held the owner).
  void stop() {
    state_ = State::closed;
    timer_.cancel();
  }
  /// The socket closes: whatever is pending on it ends.
  void abort() { layer_.close_socket(); }

 private:
  enum class State : std::uint8_t { opening, open, close_sent, closed };

  void send_close(std::uint16_t code, std::string_view reason) {
    if (state_ != State::open) return;
    own_frame(ws::opcode::close, ws::close_payload(code, reason));
    state_ = State::close_sent;
  }

  /// A frame of our own goes out at once, and the sender's bound hears of it.
  void own_frame(std::uint8_t op, std::string_view payload) {
    const auto header = ws::frame_header(op, payload.size());
    const std::array<boost::asio::const_buffer, 2> frame{
        boost::asio::buffer(header.bytes.data(), header.size),
        boost::asio::buffer(payload.data(), payload.size())};
    layer_.write_own(frame);
  }

  /// Every half idle timeout while open: a ping to a silent peer, a cut (its read then fails)
  /// of one that stays silent.
  void tick(const std::shared_ptr<void>& owner) {
    timer_.keep_alive(
        limits_.idle_timeout, owner, [this] { return state_ == State::open; },
        [this] { own_frame(ws::opcode::ping, {}); }, [this] { abort(); });
  }

  /// Once closing: the close timeout from the first call, whatever happens after.
  void deadline(const std::shared_ptr<void>& keep) {
    timer_.deadline(limits_.close_timeout(), keep, [this] { abort(); });
  }

  Layer layer_;
  ws::HopTimer timer_;
  const Limits& limits_;  // the service's or the gateway's, which outlive every connection
  State state_ = State::opening;
};

}  // namespace levain::common::live
