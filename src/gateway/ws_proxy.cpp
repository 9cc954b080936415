#include "gateway/ws_proxy.hpp"

#include "gateway/ws_bridge.hpp"

namespace levain::gateway {

namespace beast = boost::beast;

std::uint64_t BridgeRegistry::add(std::weak_ptr<BridgeHandle> bridge) {
  std::lock_guard lock(mutex_);
  const auto id = next_id_++;
  bridges_.emplace(id, std::move(bridge));
  return id;
}

void BridgeRegistry::remove(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  bridges_.erase(id);
}

void BridgeRegistry::shut_down_all(std::uint16_t code, const std::string& reason) {
  std::vector<std::shared_ptr<BridgeHandle>> live;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, weak] : bridges_) {
      if (auto b = weak.lock()) live.push_back(std::move(b));
    }
  }
  for (auto& b : live) b->shut_down(code, reason);
}

std::size_t BridgeRegistry::size() const {
  std::lock_guard lock(mutex_);
  return bridges_.size();
}

void start_bridge(beast::tcp_stream&& client, BridgeRequest&& request, const WsContext& context) {
  detail::start(std::move(client), std::move(request), context);
}

}  // namespace levain::gateway
