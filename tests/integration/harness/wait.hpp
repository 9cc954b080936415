#pragma once
/// Waits for a condition with a deadline by polling it (tests never sleep-then-assert).

#include <chrono>
#include <thread>

namespace levain::integration {

/// Polls `condition` every `interval` until it returns true (true) or the deadline passes
/// (false; the condition is checked one last time).
template <class Condition>
bool wait_until(Condition condition, std::chrono::seconds deadline = std::chrono::seconds(120),
                std::chrono::milliseconds interval = std::chrono::milliseconds(25)) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < end) {
    if (condition()) return true;
    std::this_thread::sleep_for(interval);
  }
  return condition();
}

}  // namespace levain::integration
