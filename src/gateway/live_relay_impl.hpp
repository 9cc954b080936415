#pragma once
// The gateway's live relay as a template over the client's stream (plain TCP or TLS). Only
// live_relay.cpp and live_relay_tls.cpp include it: each instantiates it for one stream type, so
// the two heaviest instantiations of the build compile in parallel.
// Towards the client it writes through a common/live transport (WebSocket or event stream), the
// service's own: each message of the replica goes into it straight from the read buffer, what
// one socket read of the replica brought leaves in one send, and the send bound is the one rule
// of common/ws/send_bound.hpp.

#include <spdlog/spdlog.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <memory>
#include <type_traits>
#include <vector>

#include "common/close_codes.hpp"
#include "common/live/max_rate.hpp"
#include "common/live/message_scan.hpp"
#include "common/live/sse_transport.hpp"
#include "common/live/ws_transport.hpp"
#include "common/ws/close_reason.hpp"
#include "common/ws/handshake.hpp"
#include "gateway/live_relay.hpp"
#include "gateway/upstream_stream.hpp"

namespace levain::gateway::detail {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using common::ws::make_close_reason;

/// Beast's timeouts for the hop to the replica, before it is open and once it is
/// (Limits::close_timeout): the rule of the client's hop (common/live/ws_framing.hpp), a ping at
/// half the idle timeout, its pings answered, a replica that never answers dropped.
inline websocket::stream_base::timeout ws_timeouts(const common::live::Limits& limits, bool open) {
  websocket::stream_base::timeout t{};
  t.handshake_timeout = open ? limits.close_timeout() : limits.handshake_timeout;
  t.idle_timeout = limits.idle_timeout;
  t.keep_alive_pings = true;
  return t;
}

struct Frame {
  std::string data;
  bool text = true;
};

// What goes to the replica (the client's pings): one write in flight, a queue behind it, and a
// close that waits for the write in flight (Beast allows no close while a write is pending).
struct UpstreamQueue {
  std::deque<Frame> frames;
  std::size_t bytes = 0;
  bool writing = false;
  std::optional<websocket::close_reason> close_after;
  bool close_sent = false;
  bool dead = false;  // the connection is gone or closed; nothing more goes out

  bool closing() const { return dead || close_sent || close_after.has_value(); }
};

template <class ClientStream>
class LiveRelay final : public RelayHandle,
                        public common::live::TransportEvents,
                        public std::enable_shared_from_this<LiveRelay<ClientStream>> {
  // Over plain TCP the client's WebSocket runs on the bare socket, as the service's watchers do
  // (Beast's own timer keeps its timeouts; tcp_stream's would be 0.5 KiB per relay for nothing).
  static constexpr bool kPlain = std::is_same_v<ClientStream, beast::tcp_stream>;
  using WsClient = common::live::WsTransport<std::conditional_t<kPlain, tcp::socket, ClientStream>>;
  using SseClient = common::live::SseTransport<ClientStream>;

 public:
  LiveRelay(ClientStream&& client, RelayRequest&& request, const RelayContext& ctx)
      : req_(std::move(request)), ctx_(ctx), sse_(!websocket::is_upgrade(req_.request)) {
    const common::live::SenderMetrics metrics{ctx_.metrics.ws_queued_bytes,
                                              ctx_.metrics.ws_slow_closed};
    if (sse_) {
      client_ = std::make_unique<SseClient>(std::move(client), ctx_.config.ws, metrics);
    } else {
      if constexpr (kPlain) {
        client_ = std::make_unique<WsClient>(client.release_socket(), ctx_.config.ws, metrics);
      } else {
        client_ = std::make_unique<WsClient>(std::move(client), ctx_.config.ws, metrics);
      }
    }
    ctx_.metrics.live_relays.add();
  }

  ~LiveRelay() override {
    ctx_.metrics.live_relays.sub();
    if (registry_id_ != 0) ctx_.registry.remove(registry_id_);
  }

  void start() {
    registry_id_ = ctx_.registry.add(this->weak_from_this());
    net::dispatch(client_->get_executor(), [self = this->shared_from_this()] {
      if (self->req_.refusal) return self->open_client();
      self->order_ = self->ctx_.pool.order();
      self->connect_next();
    });
  }

  void shut_down(std::uint16_t code, std::string reason) override {
    net::post(client_->get_executor(), [self = this->shared_from_this(), code, reason] {
      self->client_->close(code, reason, /*drain=*/false);
      self->close_upstream(make_close_reason(close_code::going_away, "client went away"));
    });
  }

  // --- the client's transport ---------------------------------------------------------------
  void on_open() override {
    if (req_.refusal) return client_->close(req_.refusal->code, req_.refusal->reason, false);
    read_upstream();
  }

  void on_gone(const std::optional<websocket::close_reason>& peer) override {
    // The client ended the conversation: pass its code and reason on (a code RFC 6455 does not
    // allow was answered with 1002, and goes no further).
    if (peer && (peer->code == websocket::close_code::none ||
                 common::ws::is_valid_close_code(peer->code))) {
      return close_upstream(*peer);
    }
    close_upstream(make_close_reason(close_code::going_away, "client went away"));
  }

  void on_cut() override {
    close_upstream(make_close_reason(close_code::going_away, "client went away"));
  }

  void on_message(std::string_view message, bool text) override {
    if (upstream_out_.closing()) return;
    ctx_.metrics.ws_frames_to_upstream.inc();
    ctx_.metrics.ws_bytes_to_upstream.inc(message.size());
    // Clients only ping; a client flooding faster than the replica takes it is cut off.
    if (upstream_out_.bytes + message.size() > 64 * 1024) {
      client_->close(close_code::policy, "too many messages", false);
    } else {
      push_upstream(Frame{std::string(message), text});
    }
  }

 private:
  void open_client() {
    if (req_.refusal) upstream_out_.dead = true;  // there is no replica side
    const auto self = this->shared_from_this();
    if (sse_) {
      static_cast<SseClient&>(*client_).open("levain-gateway", *this, self, req_.stream_headers);
    } else {
      static_cast<WsClient&>(*client_).open(std::move(req_.request), "levain-gateway", *this, self);
    }
  }

  void make_upstream() {
    upstream_.emplace(client_->get_executor());
    upstream_->set_option(ws_timeouts(ctx_.config.ws, false));
    upstream_->set_option(websocket::stream_base::decorator(
        [auth = std::string(req_.request[http::field::authorization]),
         resume = std::string(req_.request["Last-Event-ID"]), id = req_.request_id,
         from = req_.client_address](websocket::request_type& r) {
          if (!auth.empty()) r.set(http::field::authorization, auth);
          if (!resume.empty()) r.set("Last-Event-ID", resume);
          r.set("X-Request-Id", id);
          r.set("X-Forwarded-For", from);
        }));
  }

  // --- upstream connection --------------------------------------------------------------------
  void connect_next() {
    if (next_ >= order_.size()) {
      ctx_.metrics.refused_no_upstream.inc();
      spdlog::warn("live {}: no training replica reachable", req_.request_id);
      req_.refusal =
          common::live::Refusal{close_code::service_restart, "no training replica reachable"};
      return open_client();
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
    upstream_->set_option(ws_timeouts(ctx_.config.ws, true));
    // Only the handshake needed these: the replica's answer and the request's headers (the
    // client's token among them) are not kept for the relay's life.
    handshake_response_ = {};
    upstream_->set_option(websocket::stream_base::decorator([](websocket::request_type&) {}));
    // The messages read so far are all written to the client: send them as one batch. (The
    // upstream's reads run only inside operations whose handlers hold this relay.)
    upstream_->next_layer().before_socket_read([this] { client_->flush(); });
    open_client();
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
        const auto& reason = upstream_->reason();
        return client_->close(static_cast<std::uint16_t>(reason.code),
                              std::string(reason.reason.data(), reason.reason.size()),
                              /*drain=*/true);
      }
      if (client_->closing()) return;
      ctx_.metrics.ws_upstream_lost.inc();
      spdlog::info("live {}: replica {} lost ({}); client told to reconnect", req_.request_id,
                   order_[next_].label(), ec.message());
      return client_->close(close_code::service_restart, "upstream lost", true);
    }
    forward_to_client();
    read_upstream();  // flushes the client when no complete message is left to read
  }

  /// The replica's message goes to the client straight from the read buffer; over the client's
  /// bound the sender cuts it off (on_cut closes the replica side).
  void forward_to_client() {
    const auto size = upstream_buf_.size();
    if (!client_->closing()) {
      ctx_.metrics.ws_frames_to_client.inc();
      ctx_.metrics.ws_bytes_to_client.inc(size);
      const auto data = upstream_buf_.cdata();
      const std::string_view message(static_cast<const char*>(data.data()), data.size());
      common::live::MessageMeta meta;
      meta.text = upstream_->got_text();
      if (sse_) {
        if (const auto header = common::live::scan_header(message)) {
          meta.type = header->type;
          meta.seq = header->seq.value_or(0);
        }
        if (meta.type.empty()) meta.type = "message";
      }
      client_->send(message, meta);
    }
    upstream_buf_.consume(size);
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

  RelayRequest req_;
  RelayContext ctx_;  // a copy: the handler that made it may be gone before this relay
  bool sse_;          // the client asked for an event stream, not a WebSocket upgrade
  std::unique_ptr<common::live::Transport> client_;
  // Re-made for each replica tried: a stream whose handshake failed cannot be reused.
  std::optional<websocket::stream<UpstreamStream, false>> upstream_;  // no permessage-deflate
  std::uint64_t registry_id_ = 0;
  std::vector<Upstream> order_;
  std::size_t next_ = 0;
  websocket::response_type handshake_response_;
  beast::flat_buffer upstream_buf_;
  UpstreamQueue upstream_out_;
};

template <class ClientStream>
void start(ClientStream&& client, RelayRequest&& request, const RelayContext& context) {
  // A bad max_rate is refused here, as the replica would: its 400 seen through a relay would
  // look like a replica that cannot be reached (1012), and the client would retry for ever.
  if (const auto rate = common::live::max_rate_of(request.request.target()); !rate.error.empty()) {
    auto bad = common::http::error_response(http::status::bad_request, "invalid_request",
                                            rate.error, request.request.version(), false);
    bad.set(http::field::server, "levain-gateway");
    return common::ws::refuse_upgrade(std::move(client), std::move(bad), std::move(request.slot),
                                      context.config.ws.handshake_timeout);
  }
  if (websocket::is_upgrade(request.request)) {
    if (auto bad = common::ws::check_upgrade(request.request)) {
      bad->set(http::field::server, "levain-gateway");
      return common::ws::refuse_upgrade(std::move(client), std::move(*bad), std::move(request.slot),
                                        context.config.ws.handshake_timeout);
    }
  }
  std::make_shared<LiveRelay<ClientStream>>(std::move(client), std::move(request), context)
      ->start();
}

}  // namespace levain::gateway::detail
