#pragma once
/// A live connection over WebSocket (transport.hpp): the server side of the handshake, reads
/// of the peer's messages, and the Sender over WsFraming.

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
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
  void read() {
    socket().async_read(
        buffer_, [this, owner = sender_.owner().lock()](boost::beast::error_code ec, std::size_t) {
          if (ec) {
            // Closed, timed out, or a protocol error (Beast answered it with a
            // close frame, which may still be queued: nothing is dropped, the
            // socket's end frees it).
            sender_.peer_gone();
            std::optional<boost::beast::websocket::close_reason> peer;
            if (ec == boost::beast::websocket::error::closed) peer = socket().reason();
            return sender_.events().on_gone(peer);
          }
          const auto text = boost::beast::buffers_to_string(buffer_.data());
          buffer_.consume(buffer_.size());
          sender_.events().on_message(text, socket().got_text());
          read();
        });
  }

  const Limits& limits_;  // the service's or the gateway's, which outlive every connection
  Sender<WsFraming<NextLayer>> sender_;
  boost::beast::flat_buffer buffer_;
};

}  // namespace levain::common::live
