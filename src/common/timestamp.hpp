#pragma once
/// The events' `timestamp` ("2026-11-27T12:34:56.789123Z", UTC, microseconds) as microseconds
/// since the Unix epoch, and the wall clock read the same way, so latency = receive − publish.

#include <cstdint>
#include <optional>
#include <string_view>

namespace levain::common {

/// Parses YYYY-MM-DDTHH:MM:SS[.fraction]Z (1–9 fraction digits; beyond microseconds they are
/// dropped). Nullopt for anything else: another zone, an impossible date, a stray character.
std::optional<std::int64_t> parse_timestamp_us(std::string_view text);

/// CLOCK_REALTIME in microseconds: the clock the server stamps events with.
std::int64_t wall_clock_us();

}  // namespace levain::common
