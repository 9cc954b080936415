#include "gateway/replica_link.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/beast/websocket/teardown.hpp>

#include "common/ws/frame_writer.hpp"
#include "common/ws/handshake.hpp"

namespace levain::gateway {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ws = common::ws;

namespace {

/// The bytes one read takes, shared by every link of an I/O thread: an idle link holds none.
std::array<char, 65536>& read_buffer() {
  thread_local std::array<char, 65536> buffer;
  return buffer;
}

std::array<std::uint8_t, 4> new_mask() {
  std::array<std::uint8_t, 4> mask{};
  RAND_bytes(mask.data(), static_cast<int>(mask.size()));
  return mask;
}

std::string new_key() {
  std::array<unsigned char, 16> raw{};
  RAND_bytes(raw.data(), static_cast<int>(raw.size()));
  std::array<unsigned char, 25> out{};
  const int n = EVP_EncodeBlock(out.data(), raw.data(), static_cast<int>(raw.size()));
  return std::string(reinterpret_cast<const char*>(out.data()), static_cast<std::size_t>(n));
}

}  // namespace

/// Only while the upgrade is in flight: the request, the answer's parser and its buffer.
struct ReplicaLink::Handshake {
  std::string request;
  std::string accept;  // the Sec-WebSocket-Accept the replica must answer with
  beast::flat_buffer buffer;
  http::response_parser<http::empty_body> parser;
  std::shared_ptr<void> owner;
};

ReplicaLink::ReplicaLink(const net::any_io_executor& executor, const common::live::Limits& limits)
    : socket_(executor),
      timer_(executor),
      limits_(limits),
      reader_(kMaxMessage, ws::FrameReader::Peer::server) {}

void ReplicaLink::connect(const tcp::endpoint& replica, std::string_view host,
                          std::string_view target, const std::vector<Header>& headers,
                          std::chrono::milliseconds connect_timeout, Events& events,
                          const std::shared_ptr<void>& owner) {
  events_ = &events;
  owner_ = owner;
  auto hs = std::make_shared<Handshake>();
  hs->owner = owner;
  const auto key = new_key();
  hs->accept = ws::accept_key(key);
  auto& r = hs->request;
  r.append("GET ").append(target).append(" HTTP/1.1\r\nHost: ").append(host);
  r.append("\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13");
  r.append("\r\nSec-WebSocket-Key: ").append(key);
  for (const auto& h : headers) r.append("\r\n").append(h.name).append(": ").append(h.value);
  r.append("\r\n\r\n");
  hs->parser.header_limit(16 * 1024);

  deadline(connect_timeout);
  socket_.async_connect(replica, [this, hs](error_code ec) { on_connected(ec, hs); });
}

void ReplicaLink::on_connected(error_code ec, const std::shared_ptr<Handshake>& hs) {
  if (ec) {
    timer_.cancel();
    return events_->on_link_failed(
        "connect", ec == net::error::operation_aborted ? beast::error::timeout : ec);
  }
  timer_.fresh();
  deadline(limits_.handshake_timeout);
  net::async_write(socket_, net::buffer(hs->request), [this, hs](error_code ec, std::size_t) {
    if (ec) return on_response(ec, hs);
    http::async_read_header(socket_, hs->buffer, hs->parser,
                            [this, hs](error_code ec, std::size_t) { on_response(ec, hs); });
  });
}

void ReplicaLink::on_response(error_code ec, const std::shared_ptr<Handshake>& hs) {
  timer_.fresh();
  if (ec == net::error::operation_aborted) ec = beast::error::timeout;
  if (!ec) {
    const auto& res = hs->parser.get();
    using http::field;
    if (res.result() != http::status::switching_protocols) {
      ec = beast::websocket::error::upgrade_declined;
    } else if (!beast::iequals(res[field::upgrade], "websocket")) {
      ec = beast::websocket::error::no_upgrade_websocket;
    } else if (res[field::sec_websocket_accept] != hs->accept) {
      ec = beast::websocket::error::bad_sec_accept;
    }
  }
  if (ec) {
    error_code ignored;
    socket_.close(ignored);
    return events_->on_link_failed("handshake", ec);
  }
  // The replica may have sent its first frames right behind the 101.
  const auto rest = hs->buffer.cdata();
  early_.assign(static_cast<const char*>(rest.data()), rest.size());
  layer_.emplace(std::move(socket_));
  state_ = State::open;
  tick();
  events_->on_link_open();
}

void ReplicaLink::start_reading() {
  if (state_ == State::connecting || state_ == State::closed) return;
  if (!early_.empty()) {
    std::string early;
    early.swap(early_);
    std::string_view in(early);
    while (!in.empty()) {
      common::ws::ReadEvent event;
      const auto used = reader_.feed(in, event);
      in.remove_prefix(used);
      if (!handle(event)) return;
      if (used == 0) break;
    }
    events_->on_link_batch_end();
  }
  wait_readable();
}

void ReplicaLink::wait_readable() {
  layer_->next_layer().async_wait(tcp::socket::wait_read,
                                  [this, owner = owner_.lock()](error_code ec) {
                                    if (ec) return done(std::nullopt, ec);
                                    read_available();
                                  });
}

void ReplicaLink::read_available() {
  auto& buffer = read_buffer();
  auto& socket = layer_->next_layer();
  // At most 1 MiB per wake-up: a replica sending faster than the relay forwards must not keep
  // the other relays of this I/O thread waiting (what is left makes the next wait end at once).
  for (int reads = 0; reads < 16; ++reads) {
    error_code ec;
    const auto n = socket.read_some(net::buffer(buffer), ec);
    if (ec == net::error::would_block || ec == net::error::try_again) break;
    if (ec) return done(std::nullopt, ec);  // the replica went away without a close
    timer_.heard();
    std::string_view in(buffer.data(), n);
    while (!in.empty()) {
      common::ws::ReadEvent event;
      const auto used = reader_.feed(in, event);
      in.remove_prefix(used);
      if (!handle(event)) return events_->on_link_batch_end();
      if (used == 0) break;
    }
    if (n < buffer.size()) break;  // the kernel had no more: wait rather than fail a read
  }
  events_->on_link_batch_end();
  wait_readable();
}

bool ReplicaLink::handle(const common::ws::ReadEvent& event) {
  using Kind = common::ws::ReadEvent::Kind;
  switch (event.kind) {
    case Kind::none:
    case Kind::pong:
      return true;
    case Kind::message:
      if (state_ == State::open) events_->on_link_message(event.payload, event.text);
      return true;
    case Kind::ping:
      if (state_ == State::open) own_frame(ws::opcode::pong, event.payload);
      return true;
    case Kind::close:
      finish(event.code,
             CloseReason(static_cast<beast::websocket::close_code>(event.code),
                         std::string(event.payload)),
             {});
      return false;
    case Kind::error:
      spdlog::warn("replica broke RFC 6455: {}", event.payload);
      finish(event.code, std::nullopt, make_error_code(boost::system::errc::protocol_error));
      return false;
  }
  return false;
}

bool ReplicaLink::send(std::string_view message, bool text) {
  if (state_ != State::open) return false;
  const auto frame =
      ws::masked_frame(text ? ws::opcode::text : ws::opcode::binary, message, new_mask());
  error_code ec;
  layer_->write_some(net::buffer(frame), ec);
  layer_->flush();
  return !ec;
}

std::size_t ReplicaLink::pending_bytes() const { return layer_ ? layer_->pending_bytes() : 0; }

void ReplicaLink::own_frame(std::uint8_t op, std::string_view payload) {
  const auto frame = ws::masked_frame(op, payload, new_mask());
  error_code ec;
  layer_->write_some(net::buffer(frame), ec);
  layer_->flush();
}

void ReplicaLink::close(const CloseReason& reason) {
  if (state_ != State::open) return;
  own_frame(ws::opcode::close,
            ws::close_payload(static_cast<std::uint16_t>(reason.code),
                              std::string_view(reason.reason.data(), reason.reason.size())));
  state_ = State::close_sent;
  deadline(limits_.close_timeout());
}

/// The conversation ends: our close goes out (`code`) unless it already did, then the teardown
/// (the server closes TCP first; we wait for it), then the owner hears.
void ReplicaLink::finish(std::uint16_t code, std::optional<CloseReason> peer, error_code why) {
  if (state_ == State::open) own_frame(ws::opcode::close, ws::close_payload(code, {}));
  state_ = State::closed;
  deadline(limits_.close_timeout());
  layer_->async_teardown_after_flush(
      beast::role_type::client,
      [this, owner = owner_.lock(), peer = std::move(peer), why](error_code) { done(peer, why); });
}

void ReplicaLink::done(const std::optional<CloseReason>& peer, error_code ec) {
  if (events_ == nullptr) return;
  state_ = State::closed;
  timer_.cancel();
  auto* events = events_;
  events_ = nullptr;  // once
  events->on_link_closed(peer, ec);
}

void ReplicaLink::tick() {
  timer_.keep_alive(
      limits_.idle_timeout, owner_.lock(), [this] { return state_ == State::open; },
      [this] { own_frame(ws::opcode::ping, {}); },
      [this] { layer_->close_socket(); });  // the pending wait fails: the link is lost
}

void ReplicaLink::deadline(std::chrono::steady_clock::duration after) {
  timer_.deadline(after, owner_.lock(), [this] {
    if (layer_) return layer_->close_socket();
    error_code ignored;
    socket_.close(ignored);  // connecting or upgrading: its operation ends with an error
  });
}

}  // namespace levain::gateway
