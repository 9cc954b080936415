#pragma once
/// The live half of the gateway. A client watches over a WebSocket or an event stream (SSE); either
/// way it is relayed to a WebSocket on a replica. A refused client still gets its transport, then
/// an immediate close with 4001/4003 and a reason (a browser cannot read the status of a refused
/// upgrade). An accepted one is relayed: messages pass unchanged (to an event stream as `data:`,
/// with `id:` and `event:` read off the message), close codes and reasons pass through in both
/// directions, pings are answered on each hop, a client that stops reading is closed with 1008
/// once its bounded queue is full (the replica is read at full speed all along), and a replica
/// that goes away closes the client with 1012. A client's `Last-Event-ID` goes to the replica,
/// which resumes it.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/http/server.hpp"
#include "common/live/limits.hpp"
#include "common/live/sse_message.hpp"
#include "gateway/config.hpp"
#include "gateway/upstreams.hpp"

namespace levain::gateway {

/// What a live relay offers the gateway: a way to end it from outside its I/O thread.
class RelayHandle {
 public:
  virtual ~RelayHandle() = default;
  /// Posts to the relay's I/O thread: close the client with `code`, and the replica side as gone.
  virtual void shut_down(std::uint16_t code, std::string reason) = 0;
};

/// Every live relay, so shutdown can tell each client 1001.
class RelayRegistry {
 public:
  std::uint64_t add(std::weak_ptr<RelayHandle> relay);
  void remove(std::uint64_t id);
  void shut_down_all(std::uint16_t code, const std::string& reason);
  std::size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::uint64_t next_id_ = 1;
  std::unordered_map<std::uint64_t, std::weak_ptr<RelayHandle>> relays_;
};

struct RelayContext {
  UpstreamPool& pool;
  const GatewayConfig& config;
  GatewayMetrics& metrics;
  RelayRegistry& registry;
};

struct RelayRequest {
  common::http::Request request;  // the client's request; its target goes to the replica
  common::http::SlotPtr slot;
  std::string request_id;
  std::string client_address;
  std::optional<common::live::Refusal> refusal;  // set: open, close with it, no replica
  common::live::HeaderLines stream_headers;      // an event stream's extra head lines (CORS)
};

void start_relay(boost::beast::tcp_stream&& client, RelayRequest&& request,
                 const RelayContext& context);
void start_relay(common::http::TlsStream&& client, RelayRequest&& request,
                 const RelayContext& context);

}  // namespace levain::gateway
