#pragma once
/// The bytes of Server-Sent Events (HTML Living Standard, "Server-sent events"): the response
/// head, one message per live message, comments as heartbeats, and the `close` event that ends a
/// stream where a WebSocket would send a close frame. Pure: no I/O.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace levain::common::live {

/// `: ping` — a comment: EventSource ignores it, proxies see traffic and keep the stream open.
inline constexpr std::string_view kSseHeartbeat = ": ping\n\n";

using HeaderLines = std::vector<std::pair<std::string, std::string>>;

/// The 200 response head of an event stream, with `extra` headers (the gateway's CORS ones). The
/// body runs until the connection closes, so no length and no chunking; `X-Accel-Buffering: no`
/// asks nginx-like proxies not to buffer it.
std::string sse_response_head(std::string_view server, const HeaderLines& extra = {});

/// Appends `id: <seq>`, `event: <type>` and `data: <payload>`. The payload is the WebSocket's JSON
/// byte for byte; a line break in it (JSON allows them between tokens) starts another `data:`
/// line, which the reader joins back with "\n".
void append_sse_message(std::string& out, std::uint64_t seq, std::string_view type,
                        std::string_view payload);

/// Appends `event: close` with `data: {"code":…,"reason":"…"}`: the code a WebSocket would
/// have closed with.
void append_sse_close(std::string& out, std::uint16_t code, std::string_view reason);

/// What an `event: close` carries; nullopt when its data is not {"code": int, …}.
struct SseClose {
  int code = 0;
  std::string reason;
};
std::optional<SseClose> parse_sse_close(std::string_view data);

/// The bytes append_sse_message() adds, for the send bound.
std::size_t sse_message_size(std::uint64_t seq, std::string_view type, std::string_view payload);

}  // namespace levain::common::live
