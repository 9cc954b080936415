#pragma once
/// One event as every watcher of a job receives it: parsed once off the bus, serialised once,
/// shared and immutable. The same bytes are the WebSocket message and an SSE message's `data`.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace levain::training {

struct OutboundEvent {
  std::uint64_t seq = 0;
  bool terminal = false;  // completed or failed: the job's last event
  std::string type;
  std::shared_ptr<const std::string> payload;
  /// When it came off the bus: levain_fanout_seconds runs from here to its last watcher's send.
  std::chrono::steady_clock::time_point arrived{};
};

using EventPtr = std::shared_ptr<const OutboundEvent>;

}  // namespace levain::training
