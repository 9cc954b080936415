#pragma once
/// Parses human durations for flags such as `levain token --ttl 1h`.

#include <chrono>
#include <optional>
#include <string_view>

namespace levain::auth {

/// Accepts "90s", "15m", "1h", "7d" and plain seconds "3600". Refuses zero, negatives, signs,
/// spaces, fractions, unknown units and values that overflow.
std::optional<std::chrono::seconds> parse_duration(std::string_view text);

}  // namespace levain::auth
