#pragma once
/// The keep-alive rule of both WebSocket sides Levain speaks (the watchers' server side,
/// common/live/ws_framing.hpp, and the gateway's hop to a replica, gateway/replica_link.hpp).
/// On a clock that ticks every half idle timeout: a peer heard from since the last tick is alive;
/// one silent for a tick gets a ping; one still silent at the next tick is cut. So a silent peer
/// is pinged within one idle timeout and has half of one to answer. Pure: a table test holds it.

#include <cstdint>

namespace levain::common::ws {

class Liveness {
 public:
  enum class Action : std::uint8_t { none, ping, cut };

  /// Bytes came from the peer.
  void heard() { heard_ = true; }

  /// The clock ticked: what to do about the peer.
  Action tick() {
    if (heard_) {
      heard_ = false;
      pinged_ = false;
      return Action::none;
    }
    if (!pinged_) {
      pinged_ = true;
      return Action::ping;
    }
    return Action::cut;
  }

 private:
  bool heard_ = false;
  bool pinged_ = false;
};

}  // namespace levain::common::ws
