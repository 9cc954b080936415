#pragma once
/// What every live connection of the service and the gateway is bounded by, whatever its
/// transport (flags --ws-send-queue-bytes, --ws-idle-timeout, --ws-max-message-bytes), and the
/// one form of a refused watcher.

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace levain::common::live {

struct Limits {
  /// Bytes queued towards one peer before it is closed with 1008 (send_bound.hpp).
  std::size_t send_queue_bytes = 1024 * 1024;
  /// Largest message a peer may send (WebSocket clients send pings only).
  std::size_t max_message_bytes = 4096;
  /// A peer silent this long (WebSocket pings unanswered) is dropped; SSE comments go out at
  /// half of it.
  std::chrono::seconds idle_timeout{30};
  std::chrono::seconds handshake_timeout{10};

  /// Once a connection is open the handshake timeout bounds only its close: a peer alive but
  /// behind (a gateway relaying a burst to thousands) gets as long to take the close as it may
  /// stay silent, or the socket would be cut before the close reached it.
  std::chrono::seconds close_timeout() const { return std::max(handshake_timeout, idle_timeout); }
};

/// A watcher refused after its transport opened: it gets this close code and reason at once
/// (a browser cannot read the HTTP status of a refused WebSocket upgrade, nor an EventSource's).
struct Refusal {
  std::uint16_t code;
  std::string reason;
};

}  // namespace levain::common::live
