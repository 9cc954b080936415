#include "tls_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json/parse.hpp>

namespace levain::integration {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

namespace {

net::ssl::context client_context(const std::string& ca_file) {
  net::ssl::context ctx(net::ssl::context::tls_client);
  ctx.load_verify_file(ca_file);
  ctx.set_verify_mode(net::ssl::verify_peer);
  return ctx;
}

// Connects and completes a verified TLS handshake; throws on failure.
void connect_tls(beast::ssl_stream<beast::tcp_stream>& stream, std::uint16_t port,
                 std::chrono::seconds deadline) {
  beast::get_lowest_layer(stream).expires_after(deadline);
  beast::get_lowest_layer(stream).connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  stream.set_verify_callback(net::ssl::host_name_verification("127.0.0.1"));
  stream.handshake(net::ssl::stream_base::client);
}

}  // namespace

HttpResponse https_get(std::uint16_t port, const std::string& target, const std::string& ca_file,
                       std::chrono::seconds deadline) {
  HttpResponse out;
  try {
    net::io_context ioc;
    auto ctx = client_context(ca_file);
    beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
    connect_tls(stream, port, deadline);
    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, "127.0.0.1");
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    out.status = res.result_int();
    out.body = res.body();
    out.content_type = std::string(res[http::field::content_type]);
    boost::system::error_code ec;
    out.json = boost::json::parse(out.body, ec);
    out.json_ok = !ec;
  } catch (const std::exception& e) {
    out.transport_error = e.what();
  }
  return out;
}

WssResult wss_read_all(std::uint16_t port, const std::string& target, const std::string& ca_file,
                       std::chrono::seconds deadline) {
  WssResult out;
  try {
    net::io_context ioc;
    auto ctx = client_context(ca_file);
    websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws(ioc, ctx);
    connect_tls(ws.next_layer(), port, deadline);
    ws.handshake("127.0.0.1", target);
    for (;;) {
      beast::flat_buffer buffer;
      boost::system::error_code ec;
      ws.read(buffer, ec);
      if (ec == websocket::error::closed) {
        out.end.code = ws.reason().code;
        out.end.reason = std::string(ws.reason().reason.data(), ws.reason().reason.size());
        break;
      }
      if (ec) {
        out.end.error = ec.message();
        break;
      }
      out.messages.push_back(beast::buffers_to_string(buffer.data()));
    }
  } catch (const std::exception& e) {
    out.end.error = e.what();
  }
  return out;
}

}  // namespace levain::integration
