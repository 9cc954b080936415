#pragma once
/// An HTTP/1.1 server on Boost.Beast with limits on every read: header size and read time
/// (slowloris), body size and read time, idle keep-alive time, connection count. Requests are
/// handed to a RequestHandler; live requests (WebSocket upgrades, event streams) are handed over
/// with the connection. Given a
/// TLS context it speaks only HTTPS (the handshake counts against the header timeout).

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "common/http/connection_slot.hpp"
#include "common/http/types.hpp"
#include "common/io_pool.hpp"
#include "common/metrics.hpp"

namespace boost::asio::ssl {
class context;
}
namespace boost::beast {
template <class NextLayer>
class ssl_stream;
}

namespace levain::common::http {

using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

struct ServerLimits {
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 64 * 1024 * 1024;
  /// Time to send one request's headers: from accept for the first request of a connection,
  /// from the first byte for every later one.
  std::chrono::seconds header_timeout{10};
  std::chrono::seconds body_timeout{120};
  /// Time a kept-alive connection may wait for the next request's first byte.
  std::chrono::seconds idle_timeout{60};
  std::size_t max_connections = 10000;
};

using Responder = std::function<void(Response&&)>;

/// A request that may want the connection for itself: a WebSocket upgrade, or a GET that accepts
/// `text/event-stream` (Server-Sent Events).
bool is_live_request(const Request& request);

class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  /// Runs on an I/O thread and must not block: hand slow work elsewhere. `respond` must be
  /// called exactly once, from any thread.
  virtual void handle(Request&& request, Responder respond) = 0;
  /// Whether this live request (is_live_request) is for a live endpoint that takes the
  /// connection over; if not, handle() answers it.
  virtual bool takes_over(const Request& request) const = 0;
  /// Takes over a connection whose request asked for a WebSocket upgrade or an event stream.
  virtual void take_over(boost::beast::tcp_stream&& stream, Request&& request, SlotPtr slot) = 0;
  /// The same over TLS; only handlers of a server given a TLS context are ever called here.
  virtual void take_over(TlsStream&& stream, Request&& request, SlotPtr slot);
};

class HttpServer {
 public:
  /// Each accepted connection goes to the next of `pool`'s threads and stays there. With `tls`
  /// (owned by the caller, outliving the server) every connection starts with a TLS handshake.
  HttpServer(IoPool& pool, RequestHandler& handler, ServerLimits limits, MetricsRegistry& metrics,
             boost::asio::ssl::context* tls = nullptr);
  ~HttpServer();
  /// Binds and starts accepting. Port 0 picks a free port; the bound endpoint is returned.
  boost::asio::ip::tcp::endpoint listen(const std::string& host, unsigned short port);
  /// Stops accepting; open connections finish their current exchange.
  void stop();
  /// A failed accept (out of file descriptors, mostly) pauses accepting this long: retrying at
  /// once would spin a core and log a line per try until a descriptor frees up.
  static constexpr std::chrono::milliseconds kAcceptRetry{100};

  struct Shared;  // state the connections keep alive beyond the server object

 private:
  void do_accept();

  IoPool& pool_;
  boost::asio::ssl::context* tls_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer accept_retry_;  // on the acceptor's strand
  Counter& accept_errors_;
  bool accept_failing_ = false;  // logged once per run of failures, not once per try
  std::shared_ptr<Shared> shared_;
};

}  // namespace levain::common::http
