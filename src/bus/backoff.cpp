#include "bus/backoff.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace levain::bus {

Backoff::Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max,
                 std::uint64_t seed)
    : initial_(std::max(initial, std::chrono::milliseconds(1))),
      max_(std::max(max, initial_)),
      random_(seed) {}

std::chrono::milliseconds Backoff::next() {
  // 2^attempt saturates well before it could overflow: the cap is reached long before.
  const auto step = initial_.count() << std::min(attempt_, 30u);
  const auto cap = std::min<std::int64_t>(step, max_.count());
  if (attempt_ < 64) ++attempt_;
  std::uniform_int_distribution<std::int64_t> half(0, cap / 2);
  return std::chrono::milliseconds(cap - cap / 2 + half(random_));
}

void OutageLog::failed(const std::string& why) {
  const auto now = std::chrono::steady_clock::now();
  if (!last_warning_ || now - *last_warning_ >= std::chrono::minutes(1)) {
    spdlog::warn("bus: {}: {}; retrying with backoff", connection_, why);
    last_warning_ = now;
  } else {
    spdlog::debug("bus: {}: {}", connection_, why);
  }
}

}  // namespace levain::bus
