#pragma once
/// Identifiers and clocks shared by every module.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace levain::common {

/// A random version-4 UUID in its canonical text form; unguessable, so job ids leak nothing.
std::string new_uuid();

/// Tenant and job ids: 1-64 of [A-Za-z0-9._-] and not "." or "..", so they are safe in paths,
/// logs, routing keys and file names. The gateway and the service check the same rule.
bool valid_id(std::string_view id);

/// Unix time in microseconds (the resolution of event timestamps).
inline std::int64_t now_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace levain::common
