#pragma once
/// A Server-Sent Events test client for the live endpoint, the WebSocket client's twin: it GETs
/// the target with `Accept: text/event-stream`, records every message (its `id`, `event` and the
/// exact `data` text), ends at `event: close` (its code and reason, like a close frame) or at the
/// end of the stream, and bounds every read with a deadline.

#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ws_client.hpp"

namespace levain::integration {

struct SseMessage {
  std::string id;
  std::string event;
  std::string data;  // the `data:` lines joined with "\n", as EventSource hands them over
};

struct SseOptions {
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. Last-Event-ID, Authorization
  std::optional<int> receive_buffer_bytes;
  std::optional<int> max_segment_bytes;  // as WsOptions: keeps the server's send buffer small
  std::chrono::seconds read_deadline{60};
};

class SseClient {
 public:
  SseClient(std::uint16_t port, const std::string& target, SseOptions options = {});
  ~SseClient();
  SseClient(const SseClient&) = delete;
  SseClient& operator=(const SseClient&) = delete;

  /// The next message's data parsed as JSON (nullopt once the stream ended; `event: close` ends
  /// it and is not a message).
  std::optional<boost::json::value> next();
  const std::vector<boost::json::value>& read_until_close();
  bool read_until_type(const std::string& type, int occurrence = 1);
  /// Closes the socket now, as a watcher that drops does.
  void cut();

  int status() const { return status_; }
  const std::string& head() const { return head_; }
  const std::vector<boost::json::value>& messages() const { return messages_; }
  const std::vector<SseMessage>& raw() const { return raw_; }
  /// The counts of the `watchers` messages, which messages() leaves out.
  const std::vector<std::int64_t>& watchers() const { return watchers_; }
  int comments() const { return comments_; }
  bool ended() const { return ended_; }
  /// code/reason of the `event: close`; error when the stream ended without one.
  const WsEnd& end() const { return end_; }

 private:
  struct Impl;
  bool fill();  // one more read into the buffer; false once the stream ended
  std::unique_ptr<Impl> impl_;
  SseOptions options_;
  std::string buffer_;
  std::string head_;
  int status_ = 0;
  std::vector<boost::json::value> messages_;
  std::vector<SseMessage> raw_;
  std::vector<std::int64_t> watchers_;
  int comments_ = 0;
  bool ended_ = false;
  WsEnd end_;
};

}  // namespace levain::integration
