#pragma once
// The gateway's live relay as a template over the client's stream (plain TCP or TLS). Only
// live_relay.cpp and live_relay_tls.cpp include it: each instantiates it for one stream type, so
// the two heaviest instantiations of the build compile in parallel.
// Towards the client it writes through a common/live transport (WebSocket or event stream), the
// service's own: each message of the replica goes into it straight from the link's reader
// (replica_link.hpp), what one socket read of the replica brought leaves in one send, and the
// send bound is the one rule of common/ws/send_bound.hpp.

#include <spdlog/spdlog.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
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
#include "gateway/replica_link.hpp"

namespace levain::gateway::detail {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using common::ws::make_close_reason;

template <class ClientStream>
class LiveRelay final : public RelayHandle,
                        public common::live::TransportEvents,
                        public ReplicaLink::Events,
                        public std::enable_shared_from_this<LiveRelay<ClientStream>> {
  // Over plain TCP the client's WebSocket runs on the bare socket, as the service's watchers do
  // (the framing's own timer keeps its timeouts; tcp_stream's would be 0.5 KiB per relay).
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
    link_->start_reading();
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
    if (!link_ || !link_->open()) return;
    ctx_.metrics.ws_frames_to_upstream.inc();
    ctx_.metrics.ws_bytes_to_upstream.inc(message.size());
    // Clients only ping; a client flooding faster than the replica takes it is cut off.
    if (link_->pending_bytes() + message.size() > 64 * 1024) {
      client_->close(close_code::policy, "too many messages", false);
    } else {
      link_->send(message, text);
    }
  }

  // --- the replica's link --------------------------------------------------------------------
  void on_link_open() override {
    // The request was needed for the replica's upgrade only: it is not kept for the relay's
    // life (its headers carry the client's token).
    open_client();
  }

  void on_link_failed(const char* step, beast::error_code ec) override {
    ctx_.metrics.upstream_connect_errors.inc();
    spdlog::warn("live {}: replica {} {} failed: {}", req_.request_id, order_[next_].label(), step,
                 ec.message());
    ++next_;
    // Not from inside the failed link: the next attempt replaces it.
    net::post(client_->get_executor(), [self = this->shared_from_this()] { self->connect_next(); });
  }

  /// The replica's message goes to the client straight from the link's reader; over the
  /// client's bound the sender cuts it off (on_cut closes the replica side).
  void on_link_message(std::string_view message, bool text) override {
    if (client_->closing()) return;
    ctx_.metrics.ws_frames_to_client.inc();
    ctx_.metrics.ws_bytes_to_client.inc(message.size());
    common::live::MessageMeta meta;
    meta.text = text;
    if (sse_) {
      if (const auto header = common::live::scan_header(message)) {
        meta.type = header->type;
        meta.seq = header->seq.value_or(0);
      }
      if (meta.type.empty()) meta.type = "message";
    }
    client_->send(message, meta);
  }

  /// Everything one read of the replica brought leaves in one send.
  void on_link_batch_end() override { client_->flush(); }

  void on_link_closed(const std::optional<websocket::close_reason>& peer,
                      beast::error_code ec) override {
    if (peer) {
      // The replica's own close (1000 job done, 4004, 1008, 1001...) reaches the client as it
      // was sent, after everything it sent before.
      return client_->close(static_cast<std::uint16_t>(peer->code),
                            std::string(peer->reason.data(), peer->reason.size()),
                            /*drain=*/true);
    }
    if (client_->closing()) return;
    ctx_.metrics.ws_upstream_lost.inc();
    spdlog::info("live {}: replica {} lost ({}); client told to reconnect", req_.request_id,
                 order_[next_].label(), ec.message());
    client_->close(close_code::service_restart, "upstream lost", true);
  }

 private:
  void open_client() {
    const auto self = this->shared_from_this();
    if (sse_) {
      static_cast<SseClient&>(*client_).open("levain-gateway", *this, self, req_.stream_headers);
    } else {
      static_cast<WsClient&>(*client_).open(req_.request, "levain-gateway", *this, self);
    }
    req_.request = {};
  }

  void connect_next() {
    if (next_ >= order_.size()) {
      ctx_.metrics.refused_no_upstream.inc();
      spdlog::warn("live {}: no training replica reachable", req_.request_id);
      req_.refusal =
          common::live::Refusal{close_code::service_restart, "no training replica reachable"};
      link_.reset();
      return open_client();
    }
    const Upstream& up = order_[next_];
    beast::error_code ec;
    const auto address = net::ip::make_address(up.host, ec);
    std::vector<ReplicaLink::Header> headers;
    if (const auto auth = req_.request[http::field::authorization]; !auth.empty()) {
      headers.push_back({"Authorization", std::string(auth)});
    }
    if (const auto resume = req_.request["Last-Event-ID"]; !resume.empty()) {
      headers.push_back({"Last-Event-ID", std::string(resume)});
    }
    headers.push_back({"X-Request-Id", req_.request_id});
    headers.push_back({"X-Forwarded-For", req_.client_address});
    link_.emplace(client_->get_executor(), ctx_.config.ws);
    link_->connect(tcp::endpoint(address, up.port), up.label(), req_.request.target(), headers,
                   ctx_.config.upstream_connect_timeout, *this, this->shared_from_this());
  }

  void close_upstream(websocket::close_reason reason) {
    if (link_) link_->close(reason);
  }

  RelayRequest req_;
  RelayContext ctx_;  // a copy: the handler that made it may be gone before this relay
  bool sse_;          // the client asked for an event stream, not a WebSocket upgrade
  std::unique_ptr<common::live::Transport> client_;
  // Re-made for each replica tried; none when the relay refuses the client itself.
  std::optional<ReplicaLink> link_;
  std::uint64_t registry_id_ = 0;
  std::vector<Upstream> order_;
  std::size_t next_ = 0;
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
