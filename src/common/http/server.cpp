#include "common/http/server.hpp"

#include <boost/asio/strand.hpp>

#include "common/http/listen_error.hpp"
#include "common/http/server_session.hpp"

namespace levain::common::http {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

void RequestHandler::take_over(TlsStream&&, Request&&, SlotPtr) {}

bool is_live_request(const Request& request) {
  if (boost::beast::websocket::is_upgrade(request)) return true;
  return request.method() == boost::beast::http::verb::get &&
         request[boost::beast::http::field::accept].find("text/event-stream") !=
             std::string_view::npos;
}

HttpServer::HttpServer(IoPool& pool, RequestHandler& handler, ServerLimits limits,
                       MetricsRegistry& metrics, net::ssl::context* tls)
    : pool_(pool),
      tls_(tls),
      acceptor_(net::make_strand(pool.context(0))),
      accept_retry_(acceptor_.get_executor()),
      accept_errors_(metrics.counter("levain_http_accept_errors_total",
                                     "Failed accepts (each pauses accepting for 100 ms)")),
      shared_(std::make_shared<Shared>(Shared{
          handler, limits,
          metrics.gauge("levain_http_connections", "Open HTTP/WebSocket connections"),
          metrics.counter("levain_http_requests_total", "HTTP requests read, upgrades included"),
          metrics.counter("levain_http_malformed_total",
                          "Requests refused before routing (malformed, too large)"),
          metrics.counter("levain_tls_handshakes_failed_total",
                          "TLS handshakes that failed or timed out")})) {}

// By destruction time the I/O threads have stopped, so closing here races with nothing.
HttpServer::~HttpServer() {
  beast::error_code ignored;
  acceptor_.close(ignored);
}

tcp::endpoint HttpServer::listen(const std::string& host, unsigned short port) {
  const std::string where =
      (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
  beast::error_code ec;
  const auto address = net::ip::make_address(host, ec);
  if (ec) throw ListenError("cannot listen on " + where + ": '" + host + "' is not an IP address");
  const tcp::endpoint ep{address, port};
  acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec == net::error::address_in_use) {
    throw ListenError(where + " is already in use (another process?)");
  }
  if (ec == net::error::access_denied) {
    throw ListenError("cannot listen on " + where +
                      ": permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)");
  }
  if (ec == boost::system::errc::address_not_available) {
    throw ListenError("cannot listen on " + where + ": not an address of this machine");
  }
  if (ec) throw ListenError("cannot listen on " + where + ": " + ec.message());
  do_accept();
  return acceptor_.local_endpoint();
}

void HttpServer::stop() {
  net::post(acceptor_.get_executor(), [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
    accept_retry_.cancel();
  });
}

void HttpServer::do_accept() {
  acceptor_.async_accept(pool_.next(), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
      // EMFILE and friends: the connection waits in the backlog until a descriptor frees up.
      accept_errors_.inc();
      if (!accept_failing_) {
        spdlog::warn("accept failed: {}; retrying every {} ms (levain_http_accept_errors_total)",
                     ec.message(), kAcceptRetry.count());
      }
      accept_failing_ = true;
      accept_retry_.expires_after(kAcceptRetry);
      accept_retry_.async_wait([this](beast::error_code wait_ec) {
        if (!wait_ec && acceptor_.is_open()) do_accept();
      });
      return;
    }
    if (accept_failing_) {
      accept_failing_ = false;
      spdlog::info("accepting again");
    }
    if (static_cast<std::size_t>(shared_->connections.value()) >= shared_->limits.max_connections) {
      shared_->rejected.inc();
      beast::error_code ignored;
      socket.close(ignored);
    } else {
      socket.set_option(tcp::no_delay(true), ec);
      if (tls_ != nullptr) {
        detail::start_tls_session(std::move(socket), shared_, tls_);
      } else {
        std::make_shared<detail::Session<beast::tcp_stream>>(std::move(socket), shared_, nullptr)
            ->start();
      }
    }
    do_accept();
  });
}

}  // namespace levain::common::http
