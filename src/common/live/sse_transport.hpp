#pragma once
/// A live connection over Server-Sent Events (transport.hpp): the 200 text/event-stream head,
/// a `: ping` comment every idle/2 so proxies keep the stream open, and a read that only waits
/// for the reader to go (an EventSource sends nothing after its request). Everything it sends
/// goes through the one Sender, under the same byte bound as a WebSocket.

#include <array>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <string>
#include <utility>

#include "common/live/sender.hpp"
#include "common/live/sse_framing.hpp"
#include "common/live/transport.hpp"

namespace levain::common::live {

template <class NextLayer>
class SseTransport final : public Transport {
 public:
  SseTransport(NextLayer&& stream, const Limits& limits, const SenderMetrics& metrics)
      : limits_(limits),
        sender_(limits, metrics, std::move(stream), limits.close_timeout()),
        heartbeat_(sender_.framing().layer().get_executor()) {}

  void open(std::string server, TransportEvents& events, const std::shared_ptr<void>& owner,
            const HeaderLines& extra_headers = {}) {
    sender_.attach(owner, events);
    sender_.framing().write_raw(sse_response_head(server, extra_headers));
    sender_.flush();
    read();
    beat();
    sender_.events().on_open();
  }

  boost::asio::any_io_executor get_executor() override {
    return sender_.framing().layer().get_executor();
  }
  Sent send(std::string_view message, const MessageMeta& meta, bool counted) override {
    return sender_.send(message, meta, counted);
  }
  void flush() override { sender_.flush(); }
  void close(std::uint16_t code, std::string reason, bool drain) override {
    heartbeat_.cancel();
    sender_.close(code, std::move(reason), drain);
  }
  void cut() override { sender_.cut(); }
  bool closing() const override { return sender_.closing(); }

 private:
  /// Whatever the reader sends is dropped; its end (or a failure) ends the stream.
  void read() {
    sender_.framing().layer().async_read_some(
        boost::asio::buffer(discard_),
        [this, owner = sender_.owner().lock()](boost::beast::error_code ec, std::size_t) {
          if (!ec) return read();
          heartbeat_.cancel();
          sender_.peer_gone();
          sender_.events().on_gone(std::nullopt);
        });
  }

  /// The comment is a message like any other for the bound: a reader that takes nothing is cut
  /// off with 1008 once the comments fill its queue. The timer holds the owner only weakly: the
  /// read is what keeps a live stream alive.
  void beat() {
    heartbeat_.expires_after(limits_.idle_timeout / 2);
    heartbeat_.async_wait([this, weak = sender_.owner()](boost::beast::error_code ec) {
      const auto owner = weak.lock();
      if (ec || !owner || sender_.closing()) return;
      if (sender_.send(kSseHeartbeat, MessageMeta{}) == Sent::sent) sender_.flush();
      if (!sender_.closing()) beat();
    });
  }

  const Limits& limits_;  // the service's or the gateway's, which outlive every connection
  Sender<SseFraming<NextLayer>> sender_;
  boost::asio::steady_timer heartbeat_;
  std::array<char, 512> discard_{};
};

}  // namespace levain::common::live
