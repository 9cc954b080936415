#include "gateway/upstreams.hpp"

namespace levain::gateway {

UpstreamPool::UpstreamPool(std::vector<Upstream> upstreams) : all_(std::move(upstreams)) {}

std::vector<Upstream> UpstreamPool::order() {
  std::vector<Upstream> out;
  if (all_.empty()) return out;
  const std::size_t first = next_.fetch_add(1, std::memory_order_relaxed) % all_.size();
  out.reserve(all_.size());
  for (std::size_t i = 0; i < all_.size(); ++i) out.push_back(all_[(first + i) % all_.size()]);
  return out;
}

GatewayMetrics::GatewayMetrics(common::MetricsRegistry& r)
    : refused_unauthorized(r.counter("levain_gateway_refused_total",
                                     "Requests and upgrades refused, by reason",
                                     "reason=\"unauthorized\"")),
      refused_forbidden(r.counter("levain_gateway_refused_total",
                                  "Requests and upgrades refused, by reason",
                                  "reason=\"forbidden\"")),
      refused_no_upstream(r.counter("levain_gateway_refused_total",
                                    "Requests and upgrades refused, by reason",
                                    "reason=\"no_upstream\"")),
      rest_forwarded(
          r.counter("levain_gateway_rest_forwarded_total", "REST requests answered by a replica")),
      rest_bytes_to_upstream(r.counter("levain_gateway_rest_bytes_total",
                                       "REST body bytes forwarded", "direction=\"to_upstream\"")),
      rest_bytes_to_client(r.counter("levain_gateway_rest_bytes_total", "REST body bytes forwarded",
                                     "direction=\"to_client\"")),
      upstream_connect_errors(r.counter("levain_gateway_upstream_errors_total",
                                        "Failed exchanges with replicas", "kind=\"connect\"")),
      upstream_timeouts(r.counter("levain_gateway_upstream_errors_total",
                                  "Failed exchanges with replicas", "kind=\"timeout\"")),
      upstream_broken(r.counter("levain_gateway_upstream_errors_total",
                                "Failed exchanges with replicas", "kind=\"broken\"")),
      live_relays(r.gauge("levain_gateway_ws_sessions",
                          "Live clients (WebSocket and event stream) relayed to a replica")),
      ws_frames_to_client(r.counter("levain_gateway_ws_frames_total", "WebSocket frames forwarded",
                                    "direction=\"to_client\"")),
      ws_frames_to_upstream(r.counter("levain_gateway_ws_frames_total",
                                      "WebSocket frames forwarded", "direction=\"to_upstream\"")),
      ws_bytes_to_client(r.counter("levain_gateway_ws_bytes_total",
                                   "WebSocket payload bytes forwarded", "direction=\"to_client\"")),
      ws_bytes_to_upstream(r.counter("levain_gateway_ws_bytes_total",
                                     "WebSocket payload bytes forwarded",
                                     "direction=\"to_upstream\"")),
      ws_upstream_lost(r.counter("levain_gateway_ws_upstream_lost_total",
                                 "Clients closed with 1012 because their replica went away")),
      ws_slow_closed(r.counter("levain_gateway_ws_slow_closed_total",
                               "Clients closed with 1008 for not reading")),
      ws_queued_bytes(
          r.gauge("levain_gateway_ws_queued_bytes", "Bytes queued towards WebSocket clients")) {}

}  // namespace levain::gateway
