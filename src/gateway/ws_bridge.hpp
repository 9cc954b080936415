#pragma once
// The gateway's WebSocket bridge as a template over the client's stream (plain TCP or TLS). Only
// ws_proxy.cpp and ws_proxy_tls.cpp include it: each instantiates it for one stream type, so the
// two heaviest instantiations of the build compile in parallel.
// Towards the client, frames go through a CoalescingStream: each message of the replica is
// written into it straight from the read buffer, and what one socket read of the replica brought
// leaves in one send. Its unsent bytes are the client's send queue, under the send bound's rule
// (common/ws/send_bound.hpp), the service's own.

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <vector>

#include "common/close_codes.hpp"
#include "common/ws/close_reason.hpp"
#include "common/ws/coalescing_stream.hpp"
#include "common/ws/handshake.hpp"
#include "common/ws/send_bound.hpp"
#include "gateway/upstream_stream.hpp"
#include "gateway/ws_proxy.hpp"

namespace levain::gateway::detail {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

struct Frame {
  std::string data;
  bool text = true;
};

// The replica side's outgoing traffic (the client's pings): one write in flight, a queue behind
// it, and a close that waits for the write in flight (Beast allows no close while a write is
// pending).
struct Outbox {
  std::deque<Frame> frames;
  std::size_t bytes = 0;
  bool writing = false;
  std::optional<websocket::close_reason> close_after;
  bool close_sent = false;
  bool dead = false;  // the connection is gone or closed; nothing more goes out

  bool closing() const { return dead || close_sent || close_after.has_value(); }
};

using common::ws::make_close_reason;

template <class ClientStream>
class Bridge final : public BridgeHandle,
                     public std::enable_shared_from_this<Bridge<ClientStream>> {
 public:
  Bridge(ClientStream&& client, BridgeRequest&& request, const WsContext& ctx)
      : client_(std::move(client)),
        req_(std::move(request)),
        ctx_(ctx),
        bound_(ctx_.config.ws.client_queue_bytes, ctx_.metrics.ws_queued_bytes) {
    ctx_.metrics.ws_bridged.add();
  }

  ~Bridge() override {
    ctx_.metrics.ws_bridged.sub();
    if (registry_id_ != 0) ctx_.registry.remove(registry_id_);
  }

  void start() {
    registry_id_ = ctx_.registry.add(this->weak_from_this());
    configure();
    net::dispatch(client_.get_executor(), [self = this->shared_from_this()] {
      if (self->req_.refusal) return self->accept_client();
      self->order_ = self->ctx_.pool.order();
      self->connect_next();
    });
  }

  void shut_down(std::uint16_t code, std::string reason) override {
    net::post(client_.get_executor(), [self = this->shared_from_this(), code, reason] {
      self->close_client(make_close_reason(code, reason), /*drop_queue=*/true);
      self->close_upstream(make_close_reason(close_code::going_away, "client went away"));
    });
  }

 private:
  // Once a hop is open its handshake timeout bounds only the close: a peer alive but behind
  // gets as long to answer it as it may stay silent, so a close frame is never cut off.
  websocket::stream_base::timeout hop_timeout(bool open = false) const {
    websocket::stream_base::timeout t{};
    t.handshake_timeout =
        open ? std::max(ctx_.config.ws.handshake_timeout, ctx_.config.ws.idle_timeout)
             : ctx_.config.ws.handshake_timeout;
    t.idle_timeout = ctx_.config.ws.idle_timeout;
    t.keep_alive_pings = true;  // each hop pings its own peer and answers the peer's pings
    return t;
  }

  void configure() {
    client_.set_option(hop_timeout());
    client_.read_message_max(ctx_.config.ws.max_message_bytes);
    client_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "levain-gateway"); }));
    // Every message is one frame, written whole into the coalescing layer.
    client_.auto_fragment(false);
    client_.next_layer().on_sent([weak = this->weak_from_this()](beast::error_code) {
      if (auto self = weak.lock()) self->after_client_send();
    });
    client_.next_layer().on_own_frame([weak = this->weak_from_this()](std::size_t bytes) {
      if (auto self = weak.lock()) self->after_own_client_frame(bytes);
    });
  }

  void make_upstream() {
    upstream_.emplace(client_.get_executor());
    upstream_->set_option(hop_timeout());
    upstream_->set_option(websocket::stream_base::decorator(
        [auth = std::string(req_.request[http::field::authorization]), id = req_.request_id,
         from = req_.client_address](websocket::request_type& r) {
          if (!auth.empty()) r.set(http::field::authorization, auth);
          r.set("X-Request-Id", id);
          r.set("X-Forwarded-For", from);
        }));
  }

  // --- upstream connection --------------------------------------------------------------------
  void connect_next() {
    if (next_ >= order_.size()) {
      ctx_.metrics.refused_no_upstream.inc();
      spdlog::warn("live {}: no training replica reachable", req_.request_id);
      req_.refusal = Refusal{close_code::service_restart, "no training replica reachable"};
      return accept_client();
    }
    const Upstream& up = order_[next_];
    beast::error_code ec;
    const auto address = net::ip::make_address(up.host, ec);
    make_upstream();
    auto& tcp_layer = beast::get_lowest_layer(*upstream_);
    tcp_layer.expires_after(ctx_.config.upstream_connect_timeout);
    tcp_layer.async_connect(
        tcp::endpoint(address, up.port),
        [self = this->shared_from_this()](beast::error_code ec) { self->on_upstream_connect(ec); });
  }

  void on_upstream_connect(beast::error_code ec) {
    if (ec) return upstream_attempt_failed("connect", ec);
    beast::get_lowest_layer(*upstream_).expires_never();  // the websocket timeouts take over
    upstream_->async_handshake(handshake_response_, order_[next_].label(), req_.request.target(),
                               [self = this->shared_from_this()](beast::error_code ec) {
                                 self->on_upstream_handshake(ec);
                               });
  }

  void on_upstream_handshake(beast::error_code ec) {
    if (ec) return upstream_attempt_failed("handshake", ec);
    upstream_->set_option(hop_timeout(/*open=*/true));
    // The messages read so far are all written to the client: send them as one batch. (The
    // upstream's reads run only inside operations whose handlers hold this bridge.)
    upstream_->next_layer().before_socket_read([this] { flush_client(); });
    accept_client();
  }

  void upstream_attempt_failed(const char* step, beast::error_code ec) {
    ctx_.metrics.upstream_connect_errors.inc();
    spdlog::warn("live {}: replica {} {} failed: {}", req_.request_id, order_[next_].label(), step,
                 ec.message());
    beast::error_code ignored;
    beast::get_lowest_layer(*upstream_).socket().close(ignored);
    ++next_;
    connect_next();
  }

  // --- client side ------------------------------------------------------------------------------
  void accept_client() {
    if (req_.refusal) upstream_out_.dead = true;  // there is no replica side
    client_.async_accept(req_.request, [self = this->shared_from_this()](beast::error_code ec) {
      self->on_client_accept(ec);
    });
  }

  void on_client_accept(beast::error_code ec) {
    if (ec) {
      client_gone_ = true;
      return close_upstream(make_close_reason(close_code::going_away, "client went away"));
    }
    client_.next_layer().start_frames();  // the 101 response is out; only frames follow
    client_.set_option(hop_timeout(/*open=*/true));
    read_client();
    if (req_.refusal) {
      return close_client(make_close_reason(req_.refusal->code, req_.refusal->reason), true);
    }
    read_upstream();
  }

  void read_client() {
    client_.async_read(client_buf_,
                       [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                         self->on_client_read(ec);
                       });
  }

  void on_client_read(beast::error_code ec) {
    if (ec) {
      // Nothing is dropped: Beast's answer to the client's close may be among the queued bytes.
      client_gone_ = true;
      if (ec == websocket::error::closed &&
          (client_.reason().code == websocket::close_code::none ||
           common::ws::is_valid_close_code(client_.reason().code))) {
        // The client ended the conversation: pass its code and reason on (a code RFC 6455 does
        // not allow was answered with 1002, and goes no further).
        return close_upstream(client_.reason());
      }
      return close_upstream(make_close_reason(close_code::going_away, "client went away"));
    }
    Frame f{beast::buffers_to_string(client_buf_.data()), client_.got_text()};
    client_buf_.consume(client_buf_.size());
    if (!upstream_out_.closing()) {
      ctx_.metrics.ws_frames_to_upstream.inc();
      ctx_.metrics.ws_bytes_to_upstream.inc(f.data.size());
      // Clients only ping; a client flooding faster than the replica takes it is cut off.
      if (upstream_out_.bytes + f.data.size() > 64 * 1024) {
        close_client(make_close_reason(close_code::policy, "too many messages"), true);
      } else {
        push_upstream(std::move(f));
      }
    }
    read_client();
  }

  void read_upstream() {
    upstream_->async_read(upstream_buf_,
                          [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                            self->on_upstream_read(ec);
                          });
  }

  void on_upstream_read(beast::error_code ec) {
    if (ec) {
      upstream_out_.dead = true;
      drop_upstream_queue();
      if (ec == websocket::error::closed) {
        // The replica's own close (1000 job done, 4004, 1008, 1001...) reaches the client as it
        // was sent, after everything it sent before.
        return close_client(upstream_->reason(), /*drop_queue=*/false);
      }
      if (client_closing()) return;
      ctx_.metrics.ws_upstream_lost.inc();
      spdlog::info("live {}: replica {} lost ({}); client told to reconnect", req_.request_id,
                   order_[next_].label(), ec.message());
      return close_client(make_close_reason(close_code::service_restart, "upstream lost"), false);
    }
    forward_to_client();
    read_upstream();  // flushes the client when no complete message is left to read
  }

  // --- towards the client ------------------------------------------------------------------------
  /// Frames the replica's message into the client's layer, straight from the read buffer. The
  /// layer's unsent bytes are the client's send queue, under the send bound's rule.
  void forward_to_client() {
    const auto size = upstream_buf_.size();
    if (!client_closing()) {
      ctx_.metrics.ws_frames_to_client.inc();
      ctx_.metrics.ws_bytes_to_client.inc(size);
      if (!bound_.admit(client_.next_layer(), size)) {
        cut_off_slow_client();
      } else if (client_.is_open()) {  // not when Beast is closing (the client's close, a timeout)
        client_.text(upstream_->got_text());
        beast::error_code ec;
        client_.write(upstream_buf_.data(), ec);  // fails only with the socket: the read ends it
      }
    }
    upstream_buf_.consume(size);
  }

  /// Hands the batch to the kernel, then accounts for what it took.
  void flush_client() {
    client_.next_layer().flush();
    after_client_send();
  }

  /// After a send (or the layer's wait for the client ended): the queue gauge, and the close
  /// that waited for the queue to drain.
  void after_client_send() {
    const auto pending = client_.next_layer().pending_bytes();
    bound_.report(pending);
    if (pending == 0 && client_close_) send_client_close();
  }

  /// Beast queued a frame of its own (a pong to the client's ping): it counts like messages.
  void after_own_client_frame(std::size_t bytes) {
    after_client_send();
    // Not before the handshake is done, nor once Beast is closing on its own.
    if (client_close_sent_ || client_gone_ || !client_.is_open()) return;
    if (!bound_.holds(client_.next_layer().pending_bytes(), bytes)) cut_off_slow_client();
  }

  void cut_off_slow_client() {
    ctx_.metrics.ws_slow_closed.inc();
    close_client(make_close_reason(close_code::policy, bound_.reason()), true);
    close_upstream(make_close_reason(close_code::going_away, "client went away"));
  }

  bool client_closing() const { return client_gone_ || client_close_.has_value(); }

  /// Closes once what is queued is sent, or at once, dropping it. The close frame cannot
  /// overtake a frame the kernel has started on, so when dropping, that one still goes first; a
  /// client that never takes it is cut by the close handshake timeout. Closing at once overrides
  /// a close that waits for the queue: a client over the bound while it drains is slow too.
  void close_client(websocket::close_reason reason, bool drop_queue) {
    if (client_gone_ || client_close_sent_ || (client_close_ && !drop_queue)) return;
    client_close_ = std::move(reason);
    if (!drop_queue) return flush_client();
    // Only while open: once Beast is closing, its close frame may be among the queued bytes.
    if (client_.is_open()) client_.next_layer().discard_unsent();
    send_client_close();
    flush_client();
  }

  /// Starts the close handshake: from here Beast answers no more pings, and its close timeout
  /// bounds how long the client has left.
  void send_client_close() {
    if (client_close_sent_ || client_gone_ || !client_.is_open()) return;
    client_close_sent_ = true;
    client_.async_close(*client_close_, [self = this->shared_from_this()](beast::error_code) {});
  }

  // --- towards the replica -----------------------------------------------------------------------
  void push_upstream(Frame&& f) {
    upstream_out_.bytes += f.data.size();
    upstream_out_.frames.push_back(std::move(f));
    if (!upstream_out_.writing) write_upstream();
  }

  void write_upstream() {
    auto& out = upstream_out_;
    if (out.frames.empty()) {
      if (out.close_after && !out.close_sent) {
        out.close_sent = true;
        upstream_->async_close(*out.close_after,
                               [self = this->shared_from_this()](beast::error_code) {});
      }
      return;
    }
    out.writing = true;
    upstream_->text(out.frames.front().text);
    upstream_->async_write(net::buffer(out.frames.front().data),
                           [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                             self->on_upstream_write(ec);
                           });
  }

  void on_upstream_write(beast::error_code ec) {
    auto& out = upstream_out_;
    out.writing = false;
    out.bytes -= out.frames.front().data.size();
    out.frames.pop_front();
    if (ec) {
      out.dead = true;
      return drop_upstream_queue();
    }
    write_upstream();
  }

  void close_upstream(websocket::close_reason reason) {
    if (upstream_out_.closing() || !upstream_ || !upstream_->is_open()) return;
    upstream_out_.close_after = std::move(reason);
    drop_upstream_queue();
    if (!upstream_out_.writing) write_upstream();
  }

  // The frame being written stays: its buffer belongs to the write until it completes.
  void drop_upstream_queue() {
    auto& out = upstream_out_;
    while (out.frames.size() > (out.writing ? 1u : 0u)) {
      out.bytes -= out.frames.back().data.size();
      out.frames.pop_back();
    }
  }

  websocket::stream<common::ws::CoalescingStream<ClientStream>> client_;
  // Re-made for each replica tried: a stream whose handshake failed cannot be reused.
  std::optional<websocket::stream<UpstreamStream>> upstream_;
  BridgeRequest req_;
  WsContext ctx_;                // a copy: the handler that made it may be gone before this bridge
  common::ws::SendBound bound_;  // the client's queue; keeps the gauge
  std::uint64_t registry_id_ = 0;
  std::vector<Upstream> order_;
  std::size_t next_ = 0;
  websocket::response_type handshake_response_;
  beast::flat_buffer client_buf_;
  beast::flat_buffer upstream_buf_;
  std::optional<websocket::close_reason> client_close_;  // sent once the queue is drained
  bool client_close_sent_ = false;
  bool client_gone_ = false;  // its handshake or read failed: nothing more goes to it
  Outbox upstream_out_;
};

template <class ClientStream>
void start(ClientStream&& client, BridgeRequest&& request, const WsContext& context) {
  if (auto bad = common::ws::check_upgrade(request.request)) {
    bad->set(http::field::server, "levain-gateway");
    return common::ws::refuse_upgrade(std::move(client), std::move(*bad), std::move(request.slot),
                                      context.config.ws.handshake_timeout);
  }
  std::make_shared<Bridge<ClientStream>>(std::move(client), std::move(request), context)->start();
}

}  // namespace levain::gateway::detail
