#pragma once
/// The gateway assembled: verifier and its cache, the replica pool, static files, TLS, the HTTP
/// server and its I/O threads, built in dependency order and stopped in reverse.

#include <boost/asio/ip/tcp.hpp>
#include <memory>

#include "gateway/config.hpp"

namespace levain::gateway {

class Gateway {
 public:
  /// Throws std::invalid_argument / std::runtime_error for an unusable configuration (no
  /// upstream, bad key, unreadable web root or TLS files).
  explicit Gateway(GatewayConfig config);
  ~Gateway();

  /// Binds and starts serving; returns the bound endpoint.
  boost::asio::ip::tcp::endpoint start();
  /// Stops accepting, tells every WebSocket client 1001, waits for the close handshakes (up to
  /// the grace period) and stops the I/O threads. Idempotent.
  void stop();

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace levain::gateway
