#pragma once
/// Many WebSocket watchers of one job from one process: a few io_context threads (one client is
/// a small state machine, not a thread), connects paced and bounded in flight, source addresses
/// spread over 127.0.0.1..K so one process can pass 64k connections. Every message of every
/// client is recorded (type, seq, receive time) and checked against the no-gap contract.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "loadgen/ledger.hpp"

namespace levain::loadgen {

enum class MessageKind : std::uint8_t { connected, event, terminal, other };

/// One received message, 20 bytes: a 10k-watcher run of a 1,000-product job keeps 10 M of them.
struct Received {
  std::uint32_t seq = 0;
  std::int32_t latency_us = 0;  // receive − event timestamp; kNoLatency when not an event
  std::uint32_t at_us = 0;      // receive time, microseconds after the run started
  std::uint32_t bytes = 0;      // payload size
  MessageKind kind = MessageKind::other;
};
inline constexpr std::int32_t kNoLatency = INT32_MIN;

/// What a client does once its `connected` snapshot arrived (`close`/`abort` make churn).
enum class AfterJoin { stay, close, abort };

struct WatchersConfig {
  std::string host;  // name or address; resolved once, IPv4 preferred
  std::string port;
  std::string host_header;
  /// Path + query of the live endpoint. Empty: every TCP connection is opened first, then
  /// WatcherHooks::prepare supplies the target (e.g. after creating the job) and all upgrade.
  std::string target;
  int clients = 1;
  bool sse = false;          // Server-Sent Events (GET, Accept: text/event-stream), not WebSocket
  int source_ips = 0;        // > 0: bind client i to 127.0.0.(1 + i % source_ips)
  int max_in_flight = 1000;  // connects (and upgrades) under way at once
  double connect_rate = 0;   // new connections per second; 0 = as fast as max_in_flight allows
  unsigned threads = 1;
  std::chrono::milliseconds connect_timeout{30000};
  std::chrono::milliseconds handshake_timeout{30000};
  std::optional<int> receive_buffer_bytes;  // SO_RCVBUF before connecting
  std::optional<int> max_segment_bytes;     // TCP_MAXSEG before connecting
  AfterJoin after_join = AfterJoin::stay;
  std::size_t max_message_bytes = 64u << 20;
  std::size_t max_messages_per_client = 1u << 20;
  /// Everything still open is closed at the deadline (and the run reports timed_out).
  std::chrono::steady_clock::time_point deadline =
      std::chrono::steady_clock::now() + std::chrono::minutes(10);
  /// Set: once every client joined (or failed), keep the connections this long, then close
  /// them (idle-connection measurements) instead of waiting for the job to end.
  std::optional<std::chrono::milliseconds> hold;
};

/// Called on the caller's thread of run_watchers, never on an I/O thread.
struct WatcherHooks {
  std::function<std::string()> prepare;  // the target, when WatchersConfig::target is empty
  std::function<void()> on_joined;       // every client got its snapshot or failed
};

struct ClientResult {
  std::string failure;  // why it never joined ("" once `connected` arrived)
  int http_status = 0;  // status of a refused upgrade
  int close_code = -1;  // close frame from the server; -1 when none
  std::string close_reason;
  std::string error;  // transport error that ended a joined connection
  bool tcp_connected = false;
  bool stopped = false;            // closed by the load generator (deadline, hold, after_join)
  std::int64_t connect_us = 0;     // TCP connect duration
  std::int64_t joined_at_us = -1;  // `connected` arrival, after the run started
  std::uint64_t unparsed = 0;      // messages that were not JSON objects with the envelope
  std::uint64_t not_recorded = 0;  // messages over max_messages_per_client
  ClientLedger ledger;
  std::vector<Received> messages;
};

struct WatchersResult {
  std::vector<ClientResult> clients;
  std::int64_t started_wall_us = 0;  // wall clock at the start: Received::at_us is after it
  double connect_s = 0;              // start → every TCP connection opened or failed
  double join_s = 0;                 // start → every client joined or failed
  double total_s = 0;
  bool timed_out = false;
  std::string setup_error;  // e.g. the host did not resolve: no client was started
};

/// Runs the clients to the end: every connection ended (the job's close, a failure, the
/// deadline or the hold). Blocks the calling thread, which also runs the hooks.
WatchersResult run_watchers(const WatchersConfig& config, const WatcherHooks& hooks = {});

}  // namespace levain::loadgen
