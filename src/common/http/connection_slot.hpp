#pragma once
/// One place under --max-connections, held for as long as the connection lives. A WebSocket
/// session takes it over on upgrade, so upgraded connections keep counting against the limit.

#include <memory>

#include "common/metrics.hpp"

namespace levain::common::http {

class ConnectionSlot {
 public:
  explicit ConnectionSlot(Gauge& open) : open_(open) { open_.add(); }
  ~ConnectionSlot() { open_.sub(); }
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;

 private:
  Gauge& open_;
};

using SlotPtr = std::unique_ptr<ConnectionSlot>;

}  // namespace levain::common::http
