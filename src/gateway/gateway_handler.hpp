#pragma once
/// The gateway's HTTP edge: its own probes and metrics, the dashboard's files, and for the
/// tenant tree a token check (signature, expiry, tenant grant, `trainer` for writes) before a
/// single byte goes to a replica. Refusals are 401/403 JSON for REST and 4001/4003 closes for
/// WebSockets, with the same reasons as the service gives.

#include <memory>
#include <optional>

#include "common/http/server.hpp"
#include "common/io_pool.hpp"
#include "gateway/cors.hpp"
#include "gateway/live_relay.hpp"
#include "gateway/rest_proxy.hpp"
#include "gateway/static_files.hpp"
#include "gateway/token_cache.hpp"

namespace levain::gateway {

/// Why a request for `tenant` is refused; nullopt means it may pass.
struct Denial {
  common::http::Status status;
  std::uint16_t close_code;
  std::string code;
  std::string message;
};
std::optional<Denial> check_access(const std::optional<std::string>& token,
                                   CachingVerifier& verifier, const std::string& tenant,
                                   bool needs_trainer);

class GatewayHandler final : public common::http::RequestHandler {
 public:
  GatewayHandler(const GatewayConfig& config, common::IoPool& io, CachingVerifier& verifier,
                 UpstreamPool& pool, RelayRegistry& relays, GatewayMetrics& metrics,
                 common::MetricsRegistry& registry, const StaticFiles* files);

  void handle(common::http::Request&& request, common::http::Responder respond) override;
  bool takes_over(const common::http::Request& request) const override;
  void take_over(boost::beast::tcp_stream&& stream, common::http::Request&& request,
                 common::http::SlotPtr slot) override;
  void take_over(common::http::TlsStream&& stream, common::http::Request&& request,
                 common::http::SlotPtr slot) override;

 private:
  void route(common::http::Request&& request, common::http::Responder respond);
  void readyz(const common::http::Request& request, common::http::Responder respond);
  RelayRequest relay_request(common::http::Request&& request, common::http::SlotPtr slot,
                             std::string client_address);

  const GatewayConfig& config_;
  common::IoPool& io_;
  CachingVerifier& verifier_;
  common::MetricsRegistry& registry_;
  GatewayMetrics& metrics_;
  const StaticFiles* files_;
  CorsPolicy cors_;
  ProxyContext proxy_;
  RelayContext ws_;
  bool tls_;
};

}  // namespace levain::gateway
