#pragma once
/// A scripted server on 127.0.0.1:0 for the client's network tests: it accepts one connection per
/// script, reads the HTTP request (a REST call or a WebSocket upgrade) and hands both to the
/// script. Synchronous Beast on one background thread; the protocol itself orders each test's
/// steps.

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/live/sse_message.hpp"

namespace levain::cli::test_server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Request = http::request<http::string_body>;
using Ws = websocket::stream<tcp::socket>;

// Serves one scripted connection after another on a background thread.
class ScriptedServer {
 public:
  using Script = std::function<void(tcp::socket&, const Request&)>;

  explicit ScriptedServer(std::vector<Script> scripts)
      : scripts_(std::move(scripts)), acceptor_(ioc_, {net::ip::make_address("127.0.0.1"), 0}) {
    thread_ = std::thread([this] { serve(); });
  }

  ~ScriptedServer() {
    // Wakes an accept() still waiting for a connection the client never made (a failing test).
    stopping_ = true;
    beast::error_code ec;
    tcp::socket poke(ioc_);
    poke.connect(acceptor_.local_endpoint(), ec);
    thread_.join();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port()); }
  unsigned short port() const { return acceptor_.local_endpoint().port(); }
  std::vector<std::string> targets() const {
    std::lock_guard lock(mutex_);
    return targets_;
  }
  std::vector<Request> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  void serve() {
    for (auto& script : scripts_) {
      tcp::socket socket(ioc_);
      beast::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stopping_) return;
      beast::flat_buffer buffer;
      Request request;
      http::read(socket, buffer, request, ec);
      if (ec) return;
      {
        std::lock_guard lock(mutex_);
        targets_.emplace_back(request.target());
        requests_.push_back(request);
      }
      try {
        script(socket, request);
      } catch (const std::exception&) {
        // The client went away mid-script; the test's assertions say whether that was expected.
      }
    }
  }

  std::vector<Script> scripts_;
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::vector<std::string> targets_;
  std::vector<Request> requests_;
  std::thread thread_;
};

inline void send(Ws& ws, const std::string& text) {
  ws.text(true);
  ws.write(net::buffer(text));
}

// Runs the closing handshake: returns once the client has answered the close frame.
inline void close(Ws& ws, websocket::close_code code, const std::string& reason) {
  beast::error_code ec;
  ws.close(websocket::close_reason(code, reason), ec);
}

// Blocks until the client goes away (it drops the connection to resynchronise or time out).
inline void wait_for_client_to_leave(Ws& ws) {
  beast::flat_buffer buffer;
  beast::error_code ec;
  while (!ec) ws.read(buffer, ec);
}

// The same job over Server-Sent Events, in the service's own framing.
inline void sse_head(tcp::socket& socket) {
  net::write(socket, net::buffer(common::live::sse_response_head("scripted")));
}
inline void sse_send(tcp::socket& socket, std::uint64_t seq, const std::string& type,
                     const std::string& json) {
  std::string out;
  common::live::append_sse_message(out, seq, type, json);
  net::write(socket, net::buffer(out));
}
inline void sse_close(tcp::socket& socket, std::uint16_t code, const std::string& reason) {
  std::string out;
  common::live::append_sse_close(out, code, reason);
  net::write(socket, net::buffer(out));
  socket.shutdown(tcp::socket::shutdown_both);
}

inline void respond(tcp::socket& socket, http::status status, const std::string& json) {
  http::response<http::string_body> response{status, 11};
  response.set(http::field::content_type, "application/json");
  response.body() = json;
  response.prepare_payload();
  http::write(socket, response);
}

}  // namespace levain::cli::test_server
