#pragma once
/// Identifiers and clocks shared by every module.

#include <chrono>
#include <cstdint>
#include <string>

namespace levain::common {

/// A random version-4 UUID in its canonical text form; unguessable, so job ids leak nothing.
std::string new_uuid();

/// Unix time in microseconds (the resolution of event timestamps).
inline std::int64_t now_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace levain::common
