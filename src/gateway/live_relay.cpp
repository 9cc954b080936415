#include "gateway/live_relay.hpp"

#include "gateway/live_relay_impl.hpp"

namespace levain::gateway {

namespace beast = boost::beast;

std::uint64_t RelayRegistry::add(std::weak_ptr<RelayHandle> relay) {
  std::lock_guard lock(mutex_);
  const auto id = next_id_++;
  relays_.emplace(id, std::move(relay));
  return id;
}

void RelayRegistry::remove(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  relays_.erase(id);
}

void RelayRegistry::shut_down_all(std::uint16_t code, const std::string& reason) {
  std::vector<std::shared_ptr<RelayHandle>> live;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, weak] : relays_) {
      if (auto b = weak.lock()) live.push_back(std::move(b));
    }
  }
  for (auto& b : live) b->shut_down(code, reason);
}

std::size_t RelayRegistry::size() const {
  std::lock_guard lock(mutex_);
  return relays_.size();
}

void start_relay(beast::tcp_stream&& client, RelayRequest&& request, const RelayContext& context) {
  detail::start(std::move(client), std::move(request), context);
}

}  // namespace levain::gateway
