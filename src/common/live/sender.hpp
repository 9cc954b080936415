#pragma once
/// The one send side of every live connection: the service's watchers and the gateway's relays,
/// over WebSocket and over Server-Sent Events. A Framing turns a message into bytes in a
/// CoalescingStream (ws_framing.hpp, sse_framing.hpp); this class holds the rules around it:
///
/// - send() reports sent, over the limit, or closing. Over the limit (send_bound.hpp: whatever
///   the peer has not taken, our messages and the transport's own frames alike) the queue is
///   dropped and the peer is closed with 1008 at once;
/// - flush() hands a batch to the kernel, then keeps the queue gauge and the delivered counter;
/// - close() closes once: after what is queued is sent, or at once, dropping the queue (the
///   message the kernel has started on still goes first: a peer gets whole messages). A close
///   at once overrides one that waits for the queue: a peer over the bound while it drains is
///   slow too.
///
/// Everything runs on the connection's I/O thread. The owner keeps this object alive (it is a
/// member) and lends attach() a weak pointer to itself for the layer's callbacks.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/close_codes.hpp"
#include "common/live/limits.hpp"
#include "common/live/transport.hpp"
#include "common/metrics.hpp"
#include "common/ws/send_bound.hpp"

namespace levain::common::live {

struct SenderMetrics {
  Gauge& queued_bytes;
  Counter& slow_closed;
  Counter* delivered = nullptr;  // counted messages wholly taken by the kernel
};

template <class Framing>
class Sender {
 public:
  template <class... Args>
  Sender(const Limits& limits, const SenderMetrics& metrics, Args&&... framing_args)
      : framing_(std::forward<Args>(framing_args)...),
        bound_(limits.send_queue_bytes, metrics.queued_bytes),
        slow_closed_(metrics.slow_closed),
        delivered_(metrics.delivered) {}
  Sender(const Sender&) = delete;
  Sender& operator=(const Sender&) = delete;

  Framing& framing() { return framing_; }

  /// Hooks the layer's callbacks up; `events` hears on_cut() when this sender closed the peer as
  /// slow. `owner` owns this sender and `events`.
  void attach(std::weak_ptr<void> owner, TransportEvents& events) {
    owner_ = owner;
    events_ = &events;
    auto& layer = framing_.layer();
    layer.on_sent([this, owner](auto) {
      if (auto keep = owner.lock()) after_send();
    });
    layer.on_own_frame([this, owner](std::size_t bytes) {
      if (auto keep = owner.lock()) after_own_frame(bytes);
    });
  }

  /// Queues one message; the caller flushes once its batch is done. `counted` messages go into
  /// the delivered counter once the kernel took them.
  Sent send(std::string_view message, const MessageMeta& meta, bool counted = false) {
    if (closing()) return Sent::closing;
    if (!bound_.admit(framing_.layer(), framing_.size(message, meta))) {
      cut();
      return Sent::over_limit;
    }
    if (!framing_.write(message, meta)) return Sent::closing;
    if (counted) framing_.layer().tag_last_frame();
    return Sent::sent;
  }

  void flush() {
    framing_.layer().flush();
    after_send();
  }

  void close(std::uint16_t code, std::string reason, bool drain) {
    if (gone_ || close_started_ || (close_ && drain)) return;
    close_.emplace(Close{code, std::move(reason)});
    if (drain) return flush();
    // Only while open: once the transport closes on its own its close may be among the bytes.
    if (framing_.open()) framing_.layer().discard_unsent();
    start_close();
    flush();
  }

  /// Closes the peer as a slow consumer (1008, the queue dropped).
  void cut() {
    if (closing()) return;
    slow_closed_.inc();
    close(close_code::policy, bound_.reason(), false);
    if (events_) events_->on_cut();
  }

  /// The peer's side failed or closed: nothing more goes to it (what is queued stays, as the
  /// transport's answer to a close may be among it).
  void peer_gone() { gone_ = true; }

  bool closing() const { return gone_ || close_.has_value(); }
  bool gone() const { return gone_; }
  /// What attach() was given, for the transport's own operations.
  const std::weak_ptr<void>& owner() const { return owner_; }
  TransportEvents& events() const { return *events_; }

 private:
  struct Close {
    std::uint16_t code;
    std::string reason;
  };

  void after_send() {
    auto& layer = framing_.layer();
    const auto pending = layer.pending_bytes();
    bound_.report(pending);
    if (delivered_) {
      if (const auto sent = layer.tagged_frames_sent(); sent > reported_delivered_) {
        delivered_->inc(sent - reported_delivered_);
        reported_delivered_ = sent;
      }
    }
    if (pending == 0 && close_) start_close();
  }

  /// The transport queued a frame of its own (a pong to a ping): it counts like our messages.
  void after_own_frame(std::size_t bytes) {
    after_send();
    if (close_started_ || gone_ || !framing_.open()) return;
    if (!bound_.holds(framing_.layer().pending_bytes(), bytes)) cut();
  }

  void start_close() {
    if (close_started_ || gone_ || !framing_.open()) return;
    close_started_ = true;
    framing_.close(close_->code, close_->reason, owner_.lock());
  }

  Framing framing_;
  ws::SendBound bound_;
  Counter& slow_closed_;
  Counter* delivered_;
  // An idle watcher holds one of these per connection: no std::function, one owner pointer.
  std::weak_ptr<void> owner_;
  TransportEvents* events_ = nullptr;
  std::optional<Close> close_;  // sent once the queue is drained
  bool close_started_ = false;
  bool gone_ = false;
  std::uint64_t reported_delivered_ = 0;
};

}  // namespace levain::common::live
