#pragma once
/// One watcher of one job, over WebSocket or Server-Sent Events: the adapter between a transport
/// (common/live/transport.hpp), the job's fan-out (ConnectionManager) and the pure JobFeed, which
/// decides what is sent when. Everything it owns is touched only on its connection's I/O thread;
/// the manager reaches it through deliver()/flush() on that thread (ShardDelivery), and
/// resnapshot()/shutdown()/watchers_changed(), which post there.

#include <boost/beast/core/tcp_stream.hpp>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/http/connection_slot.hpp"
#include "common/http/types.hpp"
#include "common/io_pool.hpp"
#include "common/live/limits.hpp"
#include "common/metrics.hpp"
#include "training/jobs/job.hpp"
#include "training/live/connection_manager.hpp"

namespace levain::training {

using common::live::Refusal;

/// Reads a job's snapshot off the I/O threads; calls back with nullopt when the tenant has no
/// such job, or with an exception_ptr when the store failed.
using SnapshotLoader =
    std::function<void(const std::string& tenant, const std::string& job_id,
                       std::function<void(std::optional<JobRecord>, std::exception_ptr)> done)>;

struct LiveContext {
  ConnectionManager& manager;
  common::IoPool* io;  // the I/O threads the sessions are accepted on (null: one, shard 0)
  SnapshotLoader load_snapshot;
  common::live::Limits limits;
  common::Gauge& sessions;
  common::Counter& delivered;
  common::Counter& slow_closed;
  common::Gauge& queued_bytes;
  /// The tenant's watcher quotas (null: none).
  std::function<WatcherCaps(const std::string& tenant)> watcher_caps;
};

/// Who watches what: the route's tenant and job, the seq the watcher resumes after (0: none),
/// and a refusal (bad token, other tenant) to close with once the transport is open.
struct WatchRequest {
  std::string tenant;
  std::string job_id;
  std::uint64_t since = 0;
  double max_rate = 0;  // `?max_rate=R`: fold successful products into ≤ R summaries/s (0: off)
  std::unique_ptr<Refusal> refusal;  // a pointer: most watchers are not refused
};

/// The seq a watcher resumes after: `Last-Event-ID` (what an EventSource sends when it
/// reconnects), else `since` from the query; 0 when neither holds a number.
std::uint64_t resume_point(const common::http::Request& request, std::string_view since_query);

/// Takes over a live request (common::http::is_live_request): a WebSocket upgrade (400/426 for a
/// bad handshake), else an event stream. With a refusal the transport opens and closes at once
/// with it.
void start_live_session(LiveContext& context, boost::beast::tcp_stream&& stream,
                        common::http::Request&& request, common::http::SlotPtr slot,
                        WatchRequest watch);

}  // namespace levain::training
