#include "gateway/rest_proxy.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/ip/address.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <vector>

namespace levain::gateway {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using common::http::Request;
using common::http::Response;
using common::http::Status;
using tcp = net::ip::tcp;

template <class Fields>
void strip_hop_by_hop(Fields& fields) {
  std::vector<std::string> named;
  for (auto token : http::token_list(fields[http::field::connection])) {
    named.emplace_back(token);
  }
  for (const auto& name : named) fields.erase(name);
  for (auto f : {http::field::connection, http::field::keep_alive, http::field::proxy_connection,
                 http::field::proxy_authenticate, http::field::proxy_authorization, http::field::te,
                 http::field::trailer, http::field::transfer_encoding, http::field::upgrade}) {
    fields.erase(f);
  }
}
template void strip_hop_by_hop(http::fields&);

namespace {

class Exchange : public std::enable_shared_from_this<Exchange> {
 public:
  Exchange(net::any_io_executor ex, const ProxyContext& ctx, Request&& req, ForwardOptions opts,
           common::http::Responder respond)
      : ex_(std::move(ex)),
        ctx_(ctx),
        req_(std::move(req)),
        opts_(std::move(opts)),
        respond_(std::move(respond)),
        order_(ctx_.pool.order()),
        started_(std::chrono::steady_clock::now()) {
    client_version_ = req_.version();
    client_keep_alive_ = req_.keep_alive();
    head_ = req_.method() == http::verb::head;
    strip_hop_by_hop(req_);
    // The client's 100-continue was answered by our own server, which has read the whole body;
    // the replica gets it at once, so asking it again would only bring a second 100 back.
    req_.erase(http::field::expect);
    req_.version(11);
    req_.keep_alive(false);  // one exchange per upstream connection
    req_.set("X-Request-Id", opts_.request_id);
    req_.set("X-Forwarded-For", opts_.client_address);
    req_.set("X-Forwarded-Proto", opts_.tls ? "https" : "http");
    req_.prepare_payload();
  }

  void start() { try_next(); }

 private:
  void try_next() {
    if (next_ >= order_.size()) return fail_all();
    const Upstream& up = order_[next_];
    beast::error_code ec;
    const auto address = net::ip::make_address(up.host, ec);
    if (ec) {
      // Upstream hosts are validated at start-up; this only guards against a bad config slipping
      // by.
      ++next_;
      return try_next();
    }
    stream_.emplace(ex_);
    stream_->expires_after(ctx_.config.upstream_connect_timeout);
    stream_->async_connect(
        tcp::endpoint(address, up.port),
        [self = shared_from_this()](beast::error_code ec) { self->on_connect(ec); });
  }

  void on_connect(beast::error_code ec) {
    if (ec) {
      ctx_.metrics.upstream_connect_errors.inc();
      spdlog::warn("request {}: replica {} refused the connection: {}", opts_.request_id,
                   order_[next_].label(), ec.message());
      ++next_;
      return try_next();
    }
    stream_->expires_after(ctx_.config.upstream_timeout);
    http::async_write(
        *stream_, req_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
  }

  void on_write(beast::error_code ec) {
    if (ec) return upstream_failed(ec);
    ctx_.metrics.rest_bytes_to_upstream.inc(req_.body().size());
    do_read();
  }

  void do_read() {
    parser_.emplace();
    parser_->header_limit(64 * 1024);
    parser_->body_limit(ctx_.config.max_upstream_response_bytes);
    // The answer to HEAD has a Content-Length but no body.
    parser_->skip(head_);
    http::async_read(
        *stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec) return upstream_failed(ec);
    // An interim answer (100 Continue, 103 Early Hints) is never the final one; the exchange
    // deadline set at connect bounds a replica that sends them forever.
    if (parser_->get().result_int() / 100 == 1) return do_read();
    Response res = parser_->release();
    close_upstream();
    if (opts_.until_success && res.result_int() / 100 != 2 && next_ + 1 < order_.size()) {
      ++next_;
      return try_next();
    }
    ctx_.metrics.rest_forwarded.inc();
    ctx_.metrics.rest_bytes_to_client.inc(res.body().size());
    strip_hop_by_hop(res);
    res.set("X-Request-Id", opts_.request_id);
    spdlog::info("request {}: {} {} -> {} {} ({} ms)", opts_.request_id, req_.method_string(),
                 req_.target(), order_[next_].label(), res.result_int(), elapsed_ms());
    finish(std::move(res));
  }

  void upstream_failed(beast::error_code ec) {
    close_upstream();
    if (opts_.until_success && next_ + 1 < order_.size()) {
      ++next_;
      return try_next();
    }
    const bool timeout = ec == beast::error::timeout;
    (timeout ? ctx_.metrics.upstream_timeouts : ctx_.metrics.upstream_broken).inc();
    spdlog::warn("request {}: {} {} -> {} failed after {} ms: {}", opts_.request_id,
                 req_.method_string(), req_.target(), order_[next_].label(), elapsed_ms(),
                 ec.message());
    if (timeout) {
      return finish(error(Status::gateway_timeout, "upstream_timeout",
                          "the training service did not answer within " +
                              std::to_string(ctx_.config.upstream_timeout.count()) + " s"));
    }
    finish(error(Status::bad_gateway, "upstream_unavailable",
                 "the training service broke off the exchange: " + ec.message()));
  }

  void fail_all() {
    spdlog::warn("request {}: {} {}: no training replica reachable", opts_.request_id,
                 req_.method_string(), req_.target());
    finish(error(Status::bad_gateway, "upstream_unavailable",
                 order_.empty() ? "no training replica is configured"
                                : "no training replica is reachable; try again shortly"));
  }

  Response error(Status status, std::string_view code, std::string_view message) const {
    auto res =
        common::http::error_response(status, code, message, client_version_, client_keep_alive_);
    res.set("X-Request-Id", opts_.request_id);
    return res;
  }

  void finish(Response&& res) {
    res.version(client_version_);
    res.keep_alive(client_keep_alive_);
    // A HEAD answer keeps the replica's Content-Length: it is the size a GET would get.
    if (!head_) res.prepare_payload();
    auto respond = std::move(respond_);
    respond(std::move(res));
  }

  void close_upstream() {
    if (!stream_) return;
    beast::error_code ignored;
    stream_->socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_->close();
  }

  long long elapsed_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 started_)
        .count();
  }

  net::any_io_executor ex_;
  ProxyContext ctx_;  // a copy: the handler that made it may be gone before this exchange
  Request req_;
  ForwardOptions opts_;
  common::http::Responder respond_;
  std::vector<Upstream> order_;
  std::size_t next_ = 0;
  std::optional<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
  std::optional<http::response_parser<http::string_body>> parser_;
  unsigned client_version_ = 11;
  bool client_keep_alive_ = true;
  bool head_ = false;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace

void forward_rest(net::any_io_executor executor, const ProxyContext& context, Request&& request,
                  ForwardOptions options, common::http::Responder respond) {
  std::make_shared<Exchange>(std::move(executor), context, std::move(request), std::move(options),
                             std::move(respond))
      ->start();
}

}  // namespace levain::gateway
