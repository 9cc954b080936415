#pragma once
/// The one rule for what a live connection (WebSocket or event stream) may hold for its peer,
/// applied by common/live/sender.hpp for the service's sessions and the gateway's relays
/// (docs/live-protocol.md, "Limits"). Every byte queued in the connection's CoalescingStream counts
/// against one bound (--ws-send-queue-bytes), whoever wrote it: our messages, and the pongs, pings
/// and close frames the framing writes by itself. Pongs matter: a peer that pings and never reads
/// is never idle, so without the bound it grew the queue by a pong per ping for as long as it
/// liked. Over the bound the owner closes with 1008 at once.
///
/// One message alone may always be queued, however large; one more may join it only within the
/// bound. The owner asks admit() before it queues a message, so the message that would cross the
/// bound is not queued. The framing's own frames are queued before anyone can ask; the layer tells
/// the owner after each (on_own_frame), and holds() applies the same rule after the fact: the queue
/// exceeds the bound by at most one control frame (127 bytes). The queue gauge is kept here too,
/// so that /metrics shows what the rule sees.

#include <cstddef>
#include <cstdint>
#include <string>

#include "common/metrics.hpp"

namespace levain::common::ws {

class SendBound {
 public:
  SendBound(std::size_t limit, Gauge& queued) : limit_(limit), queued_(queued) {}
  ~SendBound() { queued_.sub(static_cast<std::int64_t>(reported_)); }
  SendBound(const SendBound&) = delete;
  SendBound& operator=(const SendBound&) = delete;

  /// Whether a message of `bytes` may join what `out` (a CoalescingStream) has not sent yet. One
  /// message alone always may; otherwise the batch so far is flushed first, as it may fit in the
  /// kernel: only what the kernel refuses counts.
  template <class Layer>
  bool admit(Layer& out, std::size_t bytes) const {
    if (fits(out.pending_bytes(), bytes)) return true;
    out.flush();
    return fits(out.pending_bytes(), bytes);
  }

  /// After the framing queued `frame_bytes` of its own: whether the queue, now `pending` bytes, may
  /// hold them by the rule admit() applies to messages.
  bool holds(std::size_t pending, std::size_t frame_bytes) const {
    return pending <= limit_ || pending <= frame_bytes;
  }

  /// After anything was queued or sent: `pending` is what is still unsent, for the gauge.
  void report(std::size_t pending) {
    queued_.add(static_cast<std::int64_t>(pending) - static_cast<std::int64_t>(reported_));
    reported_ = pending;
  }

  /// The close reason (with close_code::policy) of a peer cut off by this rule.
  std::string reason() const {
    return "slow consumer: send queue over " + std::to_string(limit_) + " bytes";
  }

 private:
  bool fits(std::size_t pending, std::size_t bytes) const {
    return pending == 0 || pending + bytes <= limit_;
  }

  std::size_t limit_;
  Gauge& queued_;
  std::size_t reported_ = 0;  // the unsent bytes as the gauge has them
};

}  // namespace levain::common::ws
