#include "auth/duration.hpp"

#include <charconv>
#include <cstdint>
#include <limits>

namespace levain::auth {

std::optional<std::chrono::seconds> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::int64_t unit = 1;
  switch (text.back()) {
    case 's':
      unit = 1;
      break;
    case 'm':
      unit = 60;
      break;
    case 'h':
      unit = 3600;
      break;
    case 'd':
      unit = 86400;
      break;
    default:
      unit = 0;  // no suffix: plain seconds
  }
  std::string_view digits = unit == 0 ? text : text.substr(0, text.size() - 1);
  if (unit == 0) unit = 1;
  // from_chars would accept a leading '-'; only plain digits are a duration here.
  if (digits.empty() || digits.front() < '0' || digits.front() > '9') return std::nullopt;

  std::int64_t count = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), count);
  if (error != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
  if (count <= 0) return std::nullopt;
  if (count > std::numeric_limits<std::int64_t>::max() / unit) return std::nullopt;
  return std::chrono::seconds{count * unit};
}

}  // namespace levain::auth
