#pragma once
/// Identifiers and clocks shared by every module.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace levain::common {

/// A random version-4 UUID in its canonical text form. Its 122 random bits come from OpenSSL's
/// CSPRNG (RAND_bytes), so a handed-out id neither predicts nor reveals any other.
std::string new_uuid();

/// `bytes` bytes from RAND_bytes as lowercase hex (2 × bytes characters), for secrets such as
/// the demo's signing key. Throws std::runtime_error when the generator cannot deliver.
std::string random_hex(std::size_t bytes);

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
