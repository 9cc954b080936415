#pragma once
/// `levain watch`: follows one training job live (WebSocket, or Server-Sent Events for networks
/// whose proxies break WebSockets) until it ends, reconnecting through transient failures. A
/// reconnect asks to resume after the last seq folded (`since=`): the server sends only what was
/// missed, or a fresh snapshot, which makes it correct at once either way.

#include <chrono>
#include <optional>
#include <ostream>
#include <string>

namespace levain::cli {

inline constexpr int kDefaultMaxAttempts = 8;

enum class LiveTransport { websocket, sse };

struct WatchOptions {
  std::string url;      // http://HOST:PORT or https://… (ws:// and wss:// accepted too)
  std::string ca_file;  // with https/wss: PEM CA certificate(s) to trust; empty: the system's
  std::string tenant;
  std::string job;
  std::string token;
  LiveTransport transport = LiveTransport::websocket;
  std::chrono::milliseconds initial_backoff{250};
  std::chrono::milliseconds max_backoff{10000};
  /// Consecutive attempts without a "connected" message before giving up (exit 2); 0 = forever.
  /// 8 with the default backoff is about 13 to 26 s of trying.
  int max_attempts = kDefaultMaxAttempts;
  bool quiet = false;  // no progress lines and no reconnect notices; final result only
  std::chrono::milliseconds connect_timeout{10000};  // resolve + TCP connect + upgrade
  std::chrono::milliseconds read_timeout{60000};     // nothing (pings, comments) -> dropped
  /// Redraw one line with '\r' (and colour) instead of a line per change. nullopt: redraw only
  /// when `out` is std::cout on a terminal.
  std::optional<bool> redraw;
};

/// Exit codes: 0 the job completed; 1 it failed or was cancelled (the server's reason is printed
/// to `err`); 2 the watch was refused (close 4001/4003/4004, an HTTP 4xx to the upgrade, bad
/// options, an untrusted TLS certificate) or the server could not be reached after
/// max_attempts.
int run_watch(const WatchOptions& options, std::ostream& out, std::ostream& err);

}  // namespace levain::cli
