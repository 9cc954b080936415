#include "ws_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value_to.hpp>

#include "client_socket.hpp"

namespace levain::integration {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

}  // namespace

struct WsClient::Impl {
  asio::io_context ioc;
  websocket::stream<beast::tcp_stream> ws{ioc};
  beast::flat_buffer buffer;

  /// Runs one started async operation; on deadline, closes the socket to abort it.
  /// Returns nullopt on timeout.
  template <class Start>
  std::optional<beast::error_code> run(std::chrono::seconds deadline, Start start) {
    bool done = false;
    beast::error_code result;
    start([&](beast::error_code ec, std::size_t = 0) {
      done = true;
      result = ec;
    });
    ioc.restart();
    ioc.run_for(deadline);
    if (done) return result;
    beast::error_code ignored;
    beast::get_lowest_layer(ws).socket().close(ignored);
    ioc.restart();
    ioc.run();
    return std::nullopt;
  }
};

std::string WsEnd::describe() const {
  if (code >= 0) return "close " + std::to_string(code) + " '" + reason + "'";
  return "no close frame (" + error + ")";
}

WsClient::WsClient(std::uint16_t port, const std::string& target, WsOptions options)
    : impl_(std::make_unique<Impl>()), options_(options) {
  auto& sock = beast::get_lowest_layer(impl_->ws).socket();
  boost::system::error_code ec;
  open_client_socket(sock, options_.receive_buffer_bytes, options_.max_segment_bytes, ec);
  if (ec) {
    ended_ = true;
    end_.error = "socket setup: " + ec.message();
    return;
  }
  const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
  auto r = impl_->run(options_.read_deadline, [&](auto h) {
    sock.async_connect(ep, [h = std::move(h)](beast::error_code e) mutable { h(e); });
  });
  if (!r || *r) {
    ended_ = true;
    end_.error = r ? "connect: " + r->message() : "connect timed out";
    return;
  }
  impl_->ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  impl_->ws.read_message_max(16 * 1024 * 1024);
  websocket::response_type response;
  r = impl_->run(options_.read_deadline, [&](auto h) {
    impl_->ws.async_handshake(response, "127.0.0.1:" + std::to_string(port), target,
                              [h = std::move(h)](beast::error_code e) mutable { h(e); });
  });
  if (!r || *r) {
    ended_ = true;
    end_.error = r ? "handshake: " + r->message() + " (HTTP " +
                         std::to_string(response.result_int()) + " " + response.body() + ")"
                   : "handshake timed out";
    return;
  }
  // The websocket layer has its own timeouts from here on; the TCP one would cut long reads.
  beast::get_lowest_layer(impl_->ws).expires_never();
}

WsClient::~WsClient() {
  beast::error_code ignored;
  beast::get_lowest_layer(impl_->ws).socket().close(ignored);
}

std::optional<boost::json::value> WsClient::next() {
  while (auto m = next_message()) {
    if (auto event = keep(std::move(*m))) return event;
  }
  return std::nullopt;
}

std::optional<boost::json::value> WsClient::keep(Received m) {
  // A `watchers` message is not an event (no seq): kept apart, so streams read as events.
  const auto* type = m.json.is_object() ? m.json.get_object().if_contains("type") : nullptr;
  if (type != nullptr && type->is_string() && type->get_string() == "watchers") {
    watchers_.push_back(m.json.at("data").at("watchers").to_number<std::int64_t>());
    return std::nullopt;
  }
  raw_.push_back(std::move(m.text));
  messages_.push_back(m.json);
  return std::move(m.json);
}

bool WsClient::read_until_watchers(std::int64_t n) {
  while (watchers_.empty() || watchers_.back() != n) {
    auto m = next_message();
    if (!m) return false;
    keep(std::move(*m));
  }
  return true;
}

std::optional<WsClient::Received> WsClient::next_message() {
  if (ended_) return std::nullopt;
  impl_->buffer.clear();
  auto r = impl_->run(options_.read_deadline,
                      [&](auto h) { impl_->ws.async_read(impl_->buffer, std::move(h)); });
  if (!r) {
    ended_ = true;
    end_.error = "no message within " + std::to_string(options_.read_deadline.count()) + " s";
    return std::nullopt;
  }
  if (*r) {
    ended_ = true;
    if (*r == websocket::error::closed) {
      end_.code = static_cast<int>(impl_->ws.reason().code);
      end_.reason = std::string(impl_->ws.reason().reason.c_str());
    } else {
      end_.error = r->message();
    }
    return std::nullopt;
  }
  const std::string text = beast::buffers_to_string(impl_->buffer.data());
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec) v = boost::json::string("<not json> " + text);
  return Received{text, std::move(v)};
}

const std::vector<boost::json::value>& WsClient::read_until_close() {
  while (next()) {
  }
  return messages_;
}

bool WsClient::read_until_type(const std::string& type, int occurrence) {
  const auto is_type = [&type](const boost::json::value& m) {
    const auto* obj = m.if_object();
    const auto* t = obj != nullptr ? obj->if_contains("type") : nullptr;
    return t != nullptr && t->is_string() && t->get_string() == type;
  };
  int seen = 0;
  for (const auto& m : messages_) seen += is_type(m) ? 1 : 0;
  while (seen < occurrence) {
    auto m = next();
    if (!m) return false;
    seen += is_type(*m) ? 1 : 0;
  }
  return true;
}

bool WsClient::send_text(const std::string& text) {
  if (ended_) return false;
  impl_->ws.text(true);
  auto r = impl_->run(options_.read_deadline,
                      [&](auto h) { impl_->ws.async_write(asio::buffer(text), std::move(h)); });
  return r && !*r;
}

}  // namespace levain::integration
