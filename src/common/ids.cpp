#include "common/ids.hpp"

#include <fmt/format.h>
#include <openssl/rand.h>

#include <array>
#include <limits>
#include <stdexcept>
#include <vector>

namespace levain::common {
namespace {

// RAND_bytes is thread-safe and reseeds itself from the OS; a failure (no entropy source) is
// rare enough that refusing to make an id beats making a guessable one.
void fill_random(unsigned char* out, std::size_t size) {
  if (size > static_cast<std::size_t>(std::numeric_limits<int>::max()) ||
      RAND_bytes(out, static_cast<int>(size)) != 1) {
    throw std::runtime_error("the random number generator (OpenSSL RAND_bytes) failed");
  }
}

}  // namespace

std::string new_uuid() {
  std::array<unsigned char, 16> b{};
  fill_random(b.data(), b.size());
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);  // RFC 4122 variant
  return fmt::format(
      "{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-"
      "{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}",
      b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
      b[15]);
}

std::string random_hex(std::size_t bytes) {
  std::vector<unsigned char> b(bytes);
  fill_random(b.data(), b.size());
  std::string out;
  out.reserve(2 * bytes);
  for (const unsigned char c : b) out += fmt::format("{:02x}", c);
  return out;
}

bool valid_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (const char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return id != "." && id != "..";
}

}  // namespace levain::common
