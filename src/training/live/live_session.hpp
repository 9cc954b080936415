#pragma once
/// One WebSocket watching one job. Everything it owns is touched only on its strand; the
/// manager reaches it through deliver()/shutdown(), which post there. It registers with the
/// manager before reading the snapshot and buffers what arrives meanwhile, then sends
/// `connected` and only events with seq > snapshot.seq: no gap and no duplicate at any join
/// time (DESIGN.md §3). When the bus may have lost events (it reconnected, or a seq gap shows
/// it), the session does the same again: a fresh `connected` from the store, then seq > its seq.
/// Frames go out through a CoalescingStream: every message of a batch is framed into it and sent
/// with one system call. What the kernel has not taken yet is the session's send queue, bounded
/// in bytes; a session over the bound is closed with 1008.

#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/close_codes.hpp"
#include "common/http/connection_slot.hpp"
#include "common/http/types.hpp"
#include "common/metrics.hpp"
#include "training/jobs/job.hpp"
#include "training/live/connection_manager.hpp"

namespace levain::training {

struct LiveConfig {
  std::size_t send_queue_bytes = 1024 * 1024;
  std::chrono::seconds idle_timeout{30};  // a peer silent this long (pings unanswered) is dropped
  std::chrono::seconds handshake_timeout{10};
  std::size_t max_message_bytes = 4096;
};

/// Reads a job's snapshot off the I/O threads; calls back with nullopt when the tenant has no
/// such job, or throws-into-callback as an exception_ptr when the store failed.
using SnapshotLoader =
    std::function<void(const std::string& tenant, const std::string& job_id,
                       std::function<void(std::optional<JobRecord>, std::exception_ptr)> done)>;

struct LiveContext {
  ConnectionManager& manager;
  SnapshotLoader load_snapshot;
  LiveConfig config;
  common::Gauge& sessions;
  common::Counter& delivered;
  common::Counter& slow_closed;
  common::Gauge& queued_bytes;
};

/// A refused watcher: accepted, then closed at once with this code and reason (a browser cannot
/// read the HTTP status of a refused upgrade).
struct Refusal {
  std::uint16_t code;
  std::string reason;
};

/// Takes over an upgrade request. `refusal` set: accept, close with it. Otherwise watch the job.
void start_live_session(LiveContext& context, boost::beast::tcp_stream&& stream,
                        common::http::Request&& request, common::http::SlotPtr slot,
                        std::string tenant, std::string job_id, std::optional<Refusal> refusal);

}  // namespace levain::training
