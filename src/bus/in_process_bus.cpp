#include "bus/in_process_bus.hpp"

#include <algorithm>

namespace levain::bus {

void InProcessBus::publish(std::string routing_key, std::shared_ptr<const std::string> body) {
  std::shared_ptr<const List> subs;
  {
    std::lock_guard lock(mutex_);
    subs = subscriptions_;
  }
  const Message message{std::move(routing_key), std::move(body)};
  for (const auto& s : *subs) {
    if (topic_matches(s->pattern, message.routing_key)) s->handler(message);
  }
}

std::uint64_t InProcessBus::subscribe(std::string pattern, Handler handler) {
  std::lock_guard lock(mutex_);
  auto next = std::make_shared<List>(*subscriptions_);
  const auto id = next_id_++;
  next->push_back(std::make_shared<const Subscription>(
      Subscription{id, std::move(pattern), std::move(handler)}));
  subscriptions_ = std::move(next);
  return id;
}

std::uint64_t InProcessBus::on_resubscribed(std::function<void()>) {
  std::lock_guard lock(mutex_);
  return next_id_++;
}

void InProcessBus::unsubscribe(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  auto next = std::make_shared<List>(*subscriptions_);
  std::erase_if(*next, [id](const auto& s) { return s->id == id; });
  subscriptions_ = std::move(next);
}

}  // namespace levain::bus
