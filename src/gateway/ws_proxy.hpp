#pragma once
/// The WebSocket half of the gateway. A refused client still gets its upgrade, then an immediate
/// close with 4001/4003 and a reason (a browser cannot read the status of a refused upgrade). An
/// accepted one is bridged to a WebSocket on a replica: frames pass both ways unchanged, close
/// codes and reasons pass through in both directions, pings are answered on each hop, a client
/// that stops reading is closed with 1008 once its bounded queue is full (the replica is read at
/// full speed all along), and a replica that goes away closes the client with 1012.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/http/server.hpp"
#include "gateway/config.hpp"
#include "gateway/upstreams.hpp"

namespace levain::gateway {

/// What a live bridge offers the gateway: a way to end it from outside its strand.
class BridgeHandle {
 public:
  virtual ~BridgeHandle() = default;
  /// Posts to the bridge's strand: close the client with `code`, and the replica side as gone.
  virtual void shut_down(std::uint16_t code, std::string reason) = 0;
};

/// Every live bridge, so shutdown can tell each client 1001.
class BridgeRegistry {
 public:
  std::uint64_t add(std::weak_ptr<BridgeHandle> bridge);
  void remove(std::uint64_t id);
  void shut_down_all(std::uint16_t code, const std::string& reason);
  std::size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::uint64_t next_id_ = 1;
  std::unordered_map<std::uint64_t, std::weak_ptr<BridgeHandle>> bridges_;
};

struct WsContext {
  UpstreamPool& pool;
  const GatewayConfig& config;
  GatewayMetrics& metrics;
  BridgeRegistry& registry;
};

struct Refusal {
  std::uint16_t code;
  std::string reason;
};

struct BridgeRequest {
  common::http::Request request;  // the client's upgrade request, forwarded as it is
  common::http::SlotPtr slot;
  std::string request_id;
  std::string client_address;
  std::optional<Refusal> refusal;  // set: accept, close with it, never contact a replica
};

void start_bridge(boost::beast::tcp_stream&& client, BridgeRequest&& request,
                  const WsContext& context);
void start_bridge(common::http::TlsStream&& client, BridgeRequest&& request,
                  const WsContext& context);

}  // namespace levain::gateway
