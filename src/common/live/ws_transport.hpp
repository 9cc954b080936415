#pragma once
/// A live connection over WebSocket (transport.hpp): the server side of the handshake, reads
/// of the peer's frames (ws::FrameReader), and the Sender over WsFraming. The close handshake:
/// the peer's close is answered with its own code, a protocol error with 1002, 1007 or 1009, and
/// the connection is torn down once that answer is sent (server first, RFC 6455 §7.1.1); the
/// owner hears on_gone() when the socket is done, with the peer's code if it sent one.

#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/role.hpp>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "common/http/types.hpp"
#include "common/live/sender.hpp"
#include "common/live/transport.hpp"
#include "common/live/ws_framing.hpp"
#include "common/ws/frame_reader.hpp"
#include "common/ws/handshake.hpp"

namespace levain::common::live {

template <class NextLayer>
class WsTransport final : public Transport {
 public:
  WsTransport(NextLayer&& stream, const Limits& limits, const SenderMetrics& metrics)
      : sender_(limits, metrics, std::move(stream), limits), reader_(limits.max_message_bytes) {}

  /// Answers the upgrade `request` (as `server`; ws::check_upgrade() passed it); `events` hears
  /// the rest, from a later turn of the executor. `owner` (which owns this transport and
  /// `events`) is kept alive by every operation in progress.
  void open(const http::Request& request, std::string_view server, TransportEvents& events,
            const std::shared_ptr<void>& owner) {
    sender_.attach(owner, events);
    framing().accept(ws::upgrade_response(request, server), owner);
    boost::asio::post(get_executor(), [this, owner] {
      if (sender_.gone()) return;
      read();
      sender_.events().on_open();
    });
  }

  /// The coalescing layer under the sender (for tests: what is queued, and the discard).
  ws::CoalescingStream<NextLayer>& layer() { return framing().layer(); }

  boost::asio::any_io_executor get_executor() override { return framing().layer().get_executor(); }
  Sent send(std::string_view message, const MessageMeta& meta, bool counted) override {
    return sender_.send(message, meta, counted);
  }
  void flush() override { sender_.flush(); }
  void close(std::uint16_t code, std::string reason, bool drain) override {
    sender_.close(code, std::move(reason), drain);
  }
  void cut() override { sender_.cut(); }
  bool closing() const override { return sender_.closing(); }

 private:
  using PeerClose = std::optional<boost::beast::websocket::close_reason>;

  WsFraming<NextLayer>& framing() { return sender_.framing(); }

  /// Reads a little at a time into a small buffer of the transport's own: an idle watcher's
  /// pending read holds no heap buffer.
  void read() {
    framing().layer().async_read_some(
        boost::asio::buffer(chunk_),
        [this, owner = sender_.owner().lock()](boost::beast::error_code ec, std::size_t n) {
          if (ec) return gone(std::nullopt);  // closed, reset, or cut by the clock
          framing().heard();
          std::string_view in(chunk_.data(), n);
          while (!in.empty()) {
            ws::ReadEvent event;
            const auto used = reader_.feed(in, event);
            in.remove_prefix(used);
            if (!handle(event, owner)) return;
            if (used == 0) break;
          }
          read();
        });
  }

  /// False once the conversation ends (no more reads: the teardown reads what is left).
  bool handle(const ws::ReadEvent& event, const std::shared_ptr<void>& owner) {
    using Kind = ws::ReadEvent::Kind;
    switch (event.kind) {
      case Kind::none:
      case Kind::pong:
        return true;
      case Kind::message:
        // Once we are closing, the peer's messages are read and dropped until its close.
        if (framing().open()) sender_.events().on_message(event.payload, event.text);
        return true;
      case Kind::ping:
        framing().pong(event.payload);
        return true;
      case Kind::close:
        finish(event.code, {},
               boost::beast::websocket::close_reason(
                   static_cast<boost::beast::websocket::close_code>(event.code),
                   std::string(event.payload)),
               owner);
        return false;
      case Kind::error:
        finish(event.code, {}, std::nullopt, owner);
        return false;
    }
    return false;
  }

  /// Our close goes out (`code`, unless it already did), then the teardown; then the owner hears.
  void finish(std::uint16_t code, std::string_view reason, PeerClose peer,
              const std::shared_ptr<void>& owner) {
    framing().end(code, reason, owner);
    framing().layer().async_teardown_after_flush(
        boost::beast::role_type::server,
        [this, owner, peer = std::move(peer)](boost::beast::error_code) { gone(peer); });
  }

  void gone(const PeerClose& peer) {
    if (sender_.gone()) return;
    framing().stop();
    sender_.peer_gone();
    sender_.events().on_gone(peer);
  }

  Sender<WsFraming<NextLayer>> sender_;
  ws::FrameReader reader_;
  std::array<char, 64> chunk_;  // what one read takes
};

}  // namespace levain::common::live
