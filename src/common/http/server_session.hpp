#pragma once
// One HTTP connection of HttpServer as a template over its stream (plain TCP or TLS). Only
// server.cpp and server_tls.cpp include it: each instantiates it for one stream type, so the two
// compile in parallel.

#include <spdlog/spdlog.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <optional>
#include <type_traits>

#include "common/http/server.hpp"

namespace levain::common::http {

struct HttpServer::Shared {
  RequestHandler& handler;
  ServerLimits limits;
  Gauge& connections;
  Counter& requests;
  Counter& rejected;
  Counter& tls_failed;
};

namespace detail {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

template <class Stream>
constexpr bool kIsTls = !std::is_same_v<Stream, beast::tcp_stream>;

// One connection: plain TCP or TLS over it; everything but the handshake and the goodbye is the
// same code.
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(tcp::socket&& socket, std::shared_ptr<HttpServer::Shared> shared, net::ssl::context* tls)
      : stream_(make_stream(std::move(socket), tls)),
        shared_(std::move(shared)),
        slot_(std::make_unique<ConnectionSlot>(shared_->connections)) {}

  void start() {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (kIsTls<Stream>) {
        self->lowest().expires_after(self->shared_->limits.header_timeout);
        self->stream_.async_handshake(net::ssl::stream_base::server, [self](beast::error_code ec) {
          if (ec) {
            self->shared_->tls_failed.inc();
            return self->close();
          }
          self->do_read_header();
        });
      } else {
        self->do_read_header();
      }
    });
  }

 private:
  static Stream make_stream(tcp::socket&& socket, net::ssl::context* tls) {
    if constexpr (kIsTls<Stream>) {
      return Stream(std::move(socket), *tls);
    } else {
      (void)tls;
      return Stream(std::move(socket));
    }
  }

  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  static constexpr std::size_t kFirstRead = 4096;

  void do_read_header() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(shared_->limits.max_header_bytes));
    parser_->body_limit(shared_->limits.max_body_bytes);
    if (first_ || buffer_.size() > 0) {
      first_ = false;
      return read_header();
    }
    // A kept-alive connection may idle until the next request's first byte; from that byte on,
    // its headers get the header timeout like the first request's, so a client dripping them
    // cannot hold the connection for the whole idle time.
    lowest().expires_after(shared_->limits.idle_timeout);
    stream_.async_read_some(buffer_.prepare(kFirstRead),
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                              if (ec) return self->fail_read(ec);
                              self->buffer_.commit(n);
                              self->read_header();
                            });
  }

  void read_header() {
    lowest().expires_after(shared_->limits.header_timeout);
    beast_http::async_read_header(stream_, buffer_, *parser_,
                                  [self = this->shared_from_this()](
                                      beast::error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    if (ec) return fail_read(ec);
    auto& req = parser_->get();
    if (is_live_request(req) && shared_->handler.takes_over(req)) {
      lowest().expires_never();
      shared_->requests.inc();
      shared_->handler.take_over(std::move(stream_), parser_->release(), std::move(slot_));
      return;
    }
    if (req[beast_http::field::expect] == "100-continue") {
      // curl waits a second for this before sending a large upload.
      auto cont = std::make_shared<beast_http::response<beast_http::empty_body>>(
          beast_http::status::continue_, req.version());
      beast_http::async_write(
          stream_, *cont,
          [self = this->shared_from_this(), cont](beast::error_code ec, std::size_t) {
            if (ec) return;
            self->do_read_body();
          });
      return;
    }
    do_read_body();
  }

  void do_read_body() {
    lowest().expires_after(shared_->limits.body_timeout);
    beast_http::async_read(stream_, buffer_, *parser_,
                           [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                             self->on_body(ec);
                           });
  }

  void on_body(beast::error_code ec) {
    if (ec) return fail_read(ec);
    lowest().expires_never();
    shared_->requests.inc();
    Request req = parser_->release();
    const bool keep_alive = req.keep_alive();
    const unsigned version = req.version();
    const bool head = req.method() == beast_http::verb::head;
    shared_->handler.handle(std::move(req), [self = this->shared_from_this(), keep_alive, version,
                                             head](Response&& res) {
      auto owned = std::make_shared<Response>(std::move(res));
      owned->version(version);
      owned->keep_alive(keep_alive && owned->keep_alive());
      // HEAD is answered as GET without the body; Content-Length still gives its size.
      if (head) owned->body().clear();
      net::post(self->stream_.get_executor(), [self, owned] { self->do_write(owned); });
    });
  }

  void fail_read(beast::error_code ec) {
    if (ec == beast_http::error::end_of_stream || ec == net::error::operation_aborted ||
        ec == net::error::connection_reset || ec == net::error::eof ||
        ec == net::ssl::error::stream_truncated) {
      return close();
    }
    if (ec == beast::error::timeout) return close();
    // The request was malformed or too large: say so in JSON, then close (the stream may be
    // mid-message, so it cannot be reused).
    shared_->rejected.inc();
    Response res;
    if (ec == beast_http::error::body_limit) {
      res = error_response(
          Status::payload_too_large, "payload_too_large",
          "request body exceeds " + std::to_string(shared_->limits.max_body_bytes) + " bytes", 11,
          false);
    } else if (ec == beast_http::error::header_limit) {
      res = error_response(
          Status::request_header_fields_too_large, "headers_too_large",
          "request headers exceed " + std::to_string(shared_->limits.max_header_bytes) + " bytes",
          11, false);
    } else {
      res = error_response(Status::bad_request, "bad_request",
                           "malformed HTTP request: " + ec.message(), 11, false);
    }
    do_write(std::make_shared<Response>(std::move(res)));
  }

  void do_write(std::shared_ptr<Response> res) {
    lowest().expires_after(shared_->limits.body_timeout);
    beast_http::async_write(
        stream_, *res, [self = this->shared_from_this(), res](beast::error_code ec, std::size_t) {
          if (ec) return self->close();
          if (!res->keep_alive()) return self->close();
          self->do_read_header();
        });
  }

  void close() {
    if constexpr (kIsTls<Stream>) {
      // A TLS peer expects close_notify; a peer that never answers it is cut by the timeout.
      if (!tls_closing_ && stream_.native_handle() != nullptr) {
        tls_closing_ = true;
        lowest().expires_after(std::chrono::seconds(2));
        stream_.async_shutdown(
            [self = this->shared_from_this()](beast::error_code) { self->close_socket(); });
        return;
      }
    }
    close_socket();
  }

  void close_socket() {
    beast::error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
    lowest().socket().close(ignored);
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<beast_http::request_parser<beast_http::string_body>> parser_;
  std::shared_ptr<HttpServer::Shared> shared_;
  SlotPtr slot_;
  bool first_ = true;
  bool tls_closing_ = false;
};

/// Starts a TLS session (server_tls.cpp): the plain TU never instantiates the TLS one.
void start_tls_session(tcp::socket&& socket, std::shared_ptr<HttpServer::Shared> shared,
                       net::ssl::context* tls);

}  // namespace detail
}  // namespace levain::common::http
