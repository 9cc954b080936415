#include "gateway/gateway.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/ssl/context.hpp>
#include <optional>
#include <stdexcept>
#include <thread>

#include "common/close_codes.hpp"
#include "common/heap_stats.hpp"
#include "gateway/gateway_handler.hpp"

namespace levain::gateway {

namespace net = boost::asio;

namespace {

std::optional<net::ssl::context> make_tls(const GatewayConfig& c) {
  if (c.tls_cert_file.empty() && c.tls_key_file.empty()) return std::nullopt;
  if (c.tls_cert_file.empty() || c.tls_key_file.empty()) {
    throw std::invalid_argument("TLS needs both a certificate and a key file");
  }
  net::ssl::context ctx(net::ssl::context::tls_server);
  ctx.set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                  net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                  net::ssl::context::no_tlsv1_1 | net::ssl::context::single_dh_use);
  boost::system::error_code ec;
  ctx.use_certificate_chain_file(c.tls_cert_file, ec);
  if (ec)
    throw std::runtime_error("cannot use TLS certificate '" + c.tls_cert_file +
                             "': " + ec.message());
  ctx.use_private_key_file(c.tls_key_file, net::ssl::context::pem, ec);
  if (ec) throw std::runtime_error("cannot use TLS key '" + c.tls_key_file + "': " + ec.message());
  return ctx;
}

std::unique_ptr<StaticFiles> make_files(const GatewayConfig& c) {
  if (c.web_root.empty()) return nullptr;
  return std::make_unique<StaticFiles>(c.web_root);
}

const GatewayConfig& checked(const GatewayConfig& c) {
  if (c.upstreams.empty()) throw std::invalid_argument("at least one upstream is needed");
  for (const auto& u : c.upstreams) {
    boost::system::error_code ec;
    net::ip::make_address(u.host, ec);
    if (ec || u.port == 0) {
      throw std::invalid_argument("upstream '" + u.label() +
                                  "' must be an IP address and a port other than 0");
    }
  }
  return c;
}

}  // namespace

struct Gateway::Parts {
  explicit Parts(GatewayConfig c)
      : config(std::move(c)),
        gateway_metrics(metrics),
        verifier(checked(config).auth, config.token_cache_entries, metrics),
        pool(config.upstreams),
        io(config.io_threads),
        tls(make_tls(config)),
        files(make_files(config)),
        handler(config, io, verifier, pool, relays, gateway_metrics, metrics, files.get()),
        server(io, handler, config.http, metrics, tls ? &*tls : nullptr) {
    common::register_heap_metrics(metrics);
  }

  // Everything a pending handler may touch is declared before the I/O contexts, so it outlives
  // the handlers they destroy with themselves.
  GatewayConfig config;
  common::MetricsRegistry metrics;
  GatewayMetrics gateway_metrics;
  CachingVerifier verifier;
  UpstreamPool pool;
  RelayRegistry relays;
  common::IoPool io;
  std::optional<net::ssl::context> tls;
  std::unique_ptr<StaticFiles> files;
  GatewayHandler handler;
  common::http::HttpServer server;
  bool stopped = false;
};

Gateway::Gateway(GatewayConfig config) : parts_(std::make_unique<Parts>(std::move(config))) {}

Gateway::~Gateway() { stop(); }

net::ip::tcp::endpoint Gateway::start() {
  auto& p = *parts_;
  const auto ep = p.server.listen(p.config.host, p.config.port);
  p.io.run();
  return ep;
}

void Gateway::stop() {
  auto& p = *parts_;
  if (p.stopped) return;
  p.stopped = true;
  p.server.stop();
  p.relays.shut_down_all(close_code::going_away, "gateway shutting down");
  const auto deadline = std::chrono::steady_clock::now() + p.config.shutdown_grace;
  while (p.gateway_metrics.live_relays.value() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  p.io.stop();
  spdlog::info("gateway stopped");
}

}  // namespace levain::gateway
