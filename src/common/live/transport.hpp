#pragma once
/// A live connection as its owner (the service's watcher, the gateway's relay) sees it, whatever
/// it runs on: send many, flush once, close with a code. WebSocket (ws_transport.hpp) and
/// Server-Sent Events (sse_transport.hpp) implement it over the one Sender, so the job feed and
/// the fan-out never know which one they talk to. All calls, both ways, run on the connection's
/// I/O thread. The one Sender (sender.hpp) is what both implementations send through.

#include <boost/asio/any_io_executor.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace levain::common::live {

/// What a transport needs besides the payload: SSE's `id:` and `event:` lines, WebSocket's
/// frame type.
struct MessageMeta {
  std::uint64_t seq = 0;
  std::string_view type;
  bool text = true;
};

enum class Sent { sent, over_limit, closing };

/// What a transport tells its owner.
class TransportEvents {
 public:
  virtual ~TransportEvents() = default;
  /// The transport is open (the WebSocket handshake is done, the SSE head is out).
  virtual void on_open() = 0;
  /// The peer is gone: it closed (WebSocket: with `peer_close`), failed, or never opened.
  virtual void on_gone(const std::optional<boost::beast::websocket::close_reason>& peer_close) = 0;
  /// The sender closed the peer as a slow consumer (1008).
  virtual void on_cut() = 0;
  /// A message from the peer (WebSocket only: clients send pings).
  virtual void on_message(std::string_view, bool /*text*/) {}
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual boost::asio::any_io_executor get_executor() = 0;
  /// Queues one message; flush() sends the batch.
  virtual Sent send(std::string_view message, const MessageMeta& meta, bool counted = false) = 0;
  virtual void flush() = 0;
  /// Closes once (sender.hpp): after what is queued when `drain`, else at once.
  virtual void close(std::uint16_t code, std::string reason, bool drain) = 0;
  /// Closes the peer as a slow consumer: 1008 at once, the queue dropped, on_cut() told.
  virtual void cut() = 0;
  /// Closing, or the peer is gone: nothing more is sent.
  virtual bool closing() const = 0;
};

}  // namespace levain::common::live
