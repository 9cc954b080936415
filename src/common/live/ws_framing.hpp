#pragma once
/// The WebSocket framing of a live connection (sender.hpp): one text (or binary) frame per
/// message, written whole by Beast into the coalescing layer, and Beast's close handshake.

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "common/live/limits.hpp"
#include "common/live/transport.hpp"
#include "common/ws/close_reason.hpp"
#include "common/ws/coalescing_stream.hpp"

namespace levain::common::live {

/// Beast's timeouts for a hop, before it is open and once it is (Limits::close_timeout). Each
/// hop pings its own peer at idle/2 and answers the peer's pings; a peer that never answers is
/// dropped.
inline boost::beast::websocket::stream_base::timeout ws_timeouts(const Limits& limits, bool open) {
  boost::beast::websocket::stream_base::timeout t{};
  t.handshake_timeout = open ? limits.close_timeout() : limits.handshake_timeout;
  t.idle_timeout = limits.idle_timeout;
  t.keep_alive_pings = true;
  return t;
}

template <class NextLayer>
class WsFraming {
 public:
  using Layer = ws::CoalescingStream<NextLayer>;
  // No permessage-deflate (never offered), so none of its state per connection.
  using Socket = boost::beast::websocket::stream<Layer, false>;

  explicit WsFraming(NextLayer&& stream) : ws_(std::move(stream)) {}

  Socket& socket() { return ws_; }
  Layer& layer() { return ws_.next_layer(); }

  /// Before the handshake: its timeout, the largest client message, the Server header, and one
  /// frame per message.
  void configure(const Limits& limits, std::string server) {
    ws_.set_option(ws_timeouts(limits, false));
    ws_.read_message_max(limits.max_message_bytes);
    ws_.set_option(boost::beast::websocket::stream_base::decorator(
        [server = std::move(server)](boost::beast::websocket::response_type& res) {
          res.set(boost::beast::http::field::server, server);
        }));
    ws_.auto_fragment(false);
  }
  /// After the handshake: only frames follow the 101, and the open timeouts apply.
  void opened(const Limits& limits) {
    layer().start_frames();
    ws_.set_option(ws_timeouts(limits, true));
  }

  // --- what Sender needs ---
  std::size_t size(std::string_view message, const MessageMeta&) const { return message.size(); }
  bool open() const { return ws_.is_open(); }
  bool write(std::string_view message, const MessageMeta& meta) {
    if (!ws_.is_open()) return false;  // Beast is closing (the peer's close, a timeout)
    ws_.text(meta.text);
    boost::beast::error_code ec;
    ws_.write(boost::asio::buffer(message.data(), message.size()), ec);
    return !ec;  // fails only with the socket: the owner's read fails as well and ends it
  }
  /// Beast's close handshake: from here it answers no more pings, and its close timeout bounds
  /// how long the peer has left.
  void close(std::uint16_t code, const std::string& reason, std::shared_ptr<void> keep) {
    ws_.async_close(ws::make_close_reason(code, reason),
                    [keep = std::move(keep)](boost::beast::error_code) {});
  }

 private:
  Socket ws_;
};

}  // namespace levain::common::live
