#pragma once
/// WebSocket close codes of the live contract (DESIGN.md §2), shared by the service, the gateway
/// and the clients so that every hop means the same thing by a number.

#include <cstdint>

namespace levain::close_code {
inline constexpr std::uint16_t normal = 1000;           // the job finished: stop
inline constexpr std::uint16_t going_away = 1001;       // shutting down: reconnect with backoff
inline constexpr std::uint16_t policy = 1008;           // slow consumer: reconnect
inline constexpr std::uint16_t internal_error = 1011;   // unexpected: reconnect with backoff
inline constexpr std::uint16_t service_restart = 1012;  // the gateway lost its replica
inline constexpr std::uint16_t unauthorized = 4001;     // bad token: do not reconnect with it
inline constexpr std::uint16_t forbidden = 4003;        // tenant not granted: do not reconnect
inline constexpr std::uint16_t not_found = 4004;        // no such job: do not reconnect
inline constexpr std::uint16_t quota_exceeded = 4029;   // watcher quota: retry after the hint
}  // namespace levain::close_code
