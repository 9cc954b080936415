#pragma once
/// The one timer of a WebSocket hop, for both sides Levain speaks (the watchers' server side,
/// common/live/ws_framing.hpp, and the gateway's link to a replica, gateway/replica_link.hpp).
/// While the hop is open it ticks every half idle timeout and does what ws::Liveness says (ping
/// a silent peer, cut one that stays silent); while connecting or closing it is a deadline. One
/// timer per hop, so an idle connection holds one.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <memory>
#include <utility>

#include "common/ws/liveness.hpp"

namespace levain::common::ws {

class HopTimer {
 public:
  using Duration = std::chrono::steady_clock::duration;

  explicit HopTimer(const boost::asio::any_io_executor& executor) : timer_(executor) {}

  /// Bytes came from the peer: it is alive.
  void heard() { liveness_.heard(); }

  /// Ticks every `idle_timeout / 2` (none when it is 0) while `open()`: `ping()` for a peer
  /// silent for a tick, `cut()` (and no more ticks) for one silent at the next. Each wait keeps
  /// `owner` alive; a deadline() or cancel() ends the ticking.
  template <class Open, class Ping, class Cut>
  void keep_alive(Duration idle_timeout, const std::shared_ptr<void>& owner, Open open, Ping ping,
                  Cut cut) {
    if (idle_timeout.count() <= 0) return;
    timer_.expires_after(idle_timeout / 2);
    timer_.async_wait([this, idle_timeout, owner, open, ping, cut](boost::system::error_code ec) {
      if (ec || !open()) return;  // cancelled, or the deadline took over
      switch (liveness_.tick()) {
        case Liveness::Action::none:
          break;
        case Liveness::Action::ping:
          ping();
          break;
        case Liveness::Action::cut:
          return cut();
      }
      keep_alive(idle_timeout, owner, open, ping, cut);
    });
  }

  /// `expired()` once `after` has passed, counted from the first call since the last fresh():
  /// a later call (the peer's close after ours) does not move it.
  template <class Expired>
  void deadline(Duration after, const std::shared_ptr<void>& owner, Expired expired) {
    if (deadline_set_) return;
    deadline_set_ = true;
    timer_.expires_after(after);
    timer_.async_wait([owner, expired](boost::system::error_code ec) {
      if (!ec) expired();
    });
  }

  /// Stops what is pending.
  void cancel() { timer_.cancel(); }
  /// Stops what is pending, and the next deadline() counts afresh (a new phase: the upgrade
  /// after the connect, the open conversation after the upgrade).
  void fresh() {
    timer_.cancel();
    deadline_set_ = false;
  }

 private:
  boost::asio::steady_timer timer_;
  Liveness liveness_;
  bool deadline_set_ = false;
};

}  // namespace levain::common::ws
