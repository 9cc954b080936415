#pragma once
/// A live connection over WebSocket (transport.hpp): the server side of the handshake, reads
/// of the peer's messages, and the Sender over WsFraming.

#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <string>
#include <utility>

#include "common/live/sender.hpp"
#include "common/live/transport.hpp"
#include "common/live/ws_framing.hpp"

namespace levain::common::live {

template <class NextLayer>
class WsTransport final : public Transport {
 public:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;

  WsTransport(NextLayer&& stream, const Limits& limits, const SenderMetrics& metrics)
      : limits_(limits), sender_(limits, metrics, std::move(stream)) {}

  /// The WebSocket under the sender, for the owner's own settings.
  auto& socket() { return sender_.framing().socket(); }

  /// Answers the upgrade `request` (as `server`); `events` hears the rest. `owner` (which owns
  /// this transport and `events`) is kept alive by every operation in progress.
  void open(Request&& request, std::string server, TransportEvents& events,
            const std::shared_ptr<void>& owner) {
    sender_.attach(owner, events);
    sender_.framing().configure(limits_, std::move(server));
    // Held only for the handshake: an open watcher keeps no request.
    auto held = std::make_shared<Request>(std::move(request));
    socket().async_accept(*held, [this, owner, held](boost::beast::error_code ec) {
      if (ec) {  // failed or timed out: nothing to say to a peer that cannot hear
        sender_.peer_gone();
        return sender_.events().on_gone(std::nullopt);
      }
      sender_.framing().opened(limits_);
      read();
      sender_.events().on_open();
    });
  }

  boost::asio::any_io_executor get_executor() override { return socket().get_executor(); }
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
  /// Reads the peer's messages a little at a time into a small buffer of the transport's own:
  /// an idle watcher's pending read holds no heap buffer (Beast's whole-message read prepared
  /// 1.5 KiB per watcher for the pings a client may send). Beast still bounds the message by
  /// read_message_max as it parses each frame header.
  void read() {
    socket().async_read_some(
        boost::asio::buffer(chunk_),
        [this, owner = sender_.owner().lock()](boost::beast::error_code ec, std::size_t n) {
          if (ec) {
            // Closed, timed out, or a protocol error (Beast answered it with a
            // close frame, which may still be queued: nothing is dropped, the
            // socket's end frees it).
            sender_.peer_gone();
            std::optional<boost::beast::websocket::close_reason> peer;
            if (ec == boost::beast::websocket::error::closed) peer = socket().reason();
            return sender_.events().on_gone(peer);
          }
          message_.append(chunk_.data(), n);
          if (socket().is_message_done()) {
            sender_.events().on_message(message_, socket().got_text());
            std::string().swap(message_);  // a ping fits in the string itself; more is freed
          }
          read();
        });
  }

  const Limits& limits_;  // the service's or the gateway's, which outlive every connection
  Sender<WsFraming<NextLayer>> sender_;
  std::array<char, 64> chunk_;  // what one read takes
  std::string message_;         // the message being read
};

}  // namespace levain::common::live
