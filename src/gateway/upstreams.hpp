#pragma once
/// The training replicas and the gateway's counters about them. Requests are spread round robin;
/// a replica that refuses a connection is skipped for that request only, so one restarting
/// replica costs a failed connect (fast, on loopback) and never a failed request.

#include <atomic>
#include <string>
#include <vector>

#include "common/metrics.hpp"
#include "gateway/config.hpp"

namespace levain::gateway {

class UpstreamPool {
 public:
  explicit UpstreamPool(std::vector<Upstream> upstreams);
  /// Every upstream once, starting with the next one in round-robin order.
  std::vector<Upstream> order();
  std::size_t size() const { return all_.size(); }

 private:
  std::vector<Upstream> all_;
  std::atomic<std::size_t> next_{0};
};

/// Everything the gateway counts; registered once, updated lock-free.
struct GatewayMetrics {
  explicit GatewayMetrics(common::MetricsRegistry& registry);

  common::Counter& refused_unauthorized;  // 4001 / 401
  common::Counter& refused_forbidden;     // 4003 / 403
  common::Counter& refused_no_upstream;   // 1012 at upgrade
  common::Counter& rest_forwarded;
  common::Counter& rest_bytes_to_upstream;
  common::Counter& rest_bytes_to_client;
  common::Counter& upstream_connect_errors;
  common::Counter& upstream_timeouts;
  common::Counter& upstream_broken;  // reset, malformed or oversized answers
  common::Gauge& live_relays;
  common::Counter& ws_frames_to_client;
  common::Counter& ws_frames_to_upstream;
  common::Counter& ws_bytes_to_client;
  common::Counter& ws_bytes_to_upstream;
  common::Counter& ws_upstream_lost;  // closed 1012
  common::Counter& ws_slow_closed;    // closed 1008
  common::Gauge& ws_queued_bytes;     // bytes waiting for slow clients, all sessions
};

}  // namespace levain::gateway
