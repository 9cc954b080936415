#pragma once
/// A WebSocket test client for the live endpoint. It records every message and how the
/// connection ended (close code + reason, or the transport error), and bounds every read with a
/// deadline so a server that stops talking fails the test instead of hanging it.

#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace levain::integration {

struct WsOptions {
  /// SO_RCVBUF set before connecting (a tiny one makes a slow consumer).
  std::optional<int> receive_buffer_bytes;
  /// TCP_MAXSEG set before connecting. A small MSS keeps the server's kernel send buffer small
  /// (Linux sizes it from the MSS: on loopback it would otherwise hold megabytes), so a client
  /// that stops reading backs up into the server's own queue quickly.
  std::optional<int> max_segment_bytes;
  std::chrono::seconds read_deadline{60};
};

struct WsEnd {
  int code = -1;  // close code sent by the server; -1 when no close frame arrived
  std::string reason;
  std::string error;  // handshake/transport/timeout error when there was no close frame
  std::string describe() const;
};

class WsClient {
 public:
  /// Connects and performs the upgrade to `target` (path + query). Failures are recorded in
  /// end() rather than thrown, so a test asserts on them like any other outcome.
  WsClient(std::uint16_t port, const std::string& target, WsOptions options = {});
  ~WsClient();
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  /// The next message parsed as JSON (a non-JSON text is recorded as a JSON string holding
  /// "<not json> ..."). nullopt once the connection has ended.
  std::optional<boost::json::value> next();

  /// Reads until the connection ends; returns every message received on this connection.
  const std::vector<boost::json::value>& read_until_close();

  /// Reads until `occurrence` messages of `type` have arrived on this connection in total
  /// (true) or the connection ends (false).
  bool read_until_type(const std::string& type, int occurrence = 1);

  /// Reads (keeping every message) until a `watchers` message says `n` (true) or the connection
  /// ends (false).
  bool read_until_watchers(std::int64_t n);

  bool send_text(const std::string& text);

  /// Every message but `watchers`, whose counts are in watchers(), in order.
  const std::vector<boost::json::value>& messages() const { return messages_; }
  const std::vector<std::int64_t>& watchers() const { return watchers_; }
  /// Every message's text exactly as it arrived.
  const std::vector<std::string>& raw() const { return raw_; }
  bool ended() const { return ended_; }
  const WsEnd& end() const { return end_; }

 private:
  struct Received {
    std::string text;
    boost::json::value json;
  };
  std::optional<Received> next_message();
  /// Records `m`; returns it unless it is a `watchers` message.
  std::optional<boost::json::value> keep(Received m);
  struct Impl;
  std::unique_ptr<Impl> impl_;
  WsOptions options_;
  std::vector<boost::json::value> messages_;
  std::vector<std::string> raw_;
  std::vector<std::int64_t> watchers_;
  bool ended_ = false;
  WsEnd end_;
};

}  // namespace levain::integration
