#include "http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <cctype>
#include <optional>

namespace levain::integration {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

/// Runs one async operation to completion on `ioc`; the tcp_stream's expiry bounds it.
template <class Start>
beast::error_code run_op(asio::io_context& ioc, Start start) {
  beast::error_code result;
  start([&result](beast::error_code ec, std::size_t = 0) { result = ec; });
  ioc.restart();
  ioc.run();
  return result;
}

void parse_json(HttpResponse& r) {
  boost::system::error_code ec;
  r.json = boost::json::parse(r.body, ec);
  r.json_ok = !ec;
  if (ec) r.json = nullptr;
}

HttpResponse transport_failure(std::string what) {
  HttpResponse r;
  r.transport_error = std::move(what);
  return r;
}

HttpResponse read_response(asio::io_context& ioc, beast::tcp_stream& stream,
                           std::chrono::seconds deadline) {
  HttpResponse out;
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  stream.expires_after(deadline);
  const auto ec = run_op(
      ioc, [&](auto handler) { http::async_read(stream, buffer, parser, std::move(handler)); });
  if (ec) {
    out.transport_error = "read: " + ec.message();
    return out;
  }
  auto& res = parser.get();
  out.status = static_cast<int>(res.result_int());
  out.body = res.body();
  out.content_type = std::string(res[http::field::content_type]);
  out.retry_after = std::string(res[http::field::retry_after]);
  parse_json(out);
  return out;
}

std::optional<std::string> connect(asio::io_context& ioc, beast::tcp_stream& stream,
                                   std::uint16_t port, std::chrono::seconds deadline) {
  stream.expires_after(deadline);
  const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
  const auto ec = run_op(ioc, [&](auto handler) {
    stream.async_connect(ep, [h = std::move(handler)](beast::error_code e) mutable { h(e); });
  });
  if (ec) return "connect: " + ec.message();
  return std::nullopt;
}

}  // namespace

std::string HttpResponse::summary() const {
  std::string s = "HTTP " + std::to_string(status);
  if (!transport_error.empty()) s += " (transport error: " + transport_error + ")";
  s += " [" + content_type + "] " + (body.size() > 300 ? body.substr(0, 300) + "..." : body);
  return s;
}

HttpClient::HttpClient(std::uint16_t port, std::chrono::seconds deadline)
    : port_(port), deadline_(deadline) {}

HttpResponse HttpClient::request(std::string_view method, std::string_view target, std::string body,
                                 const Headers& headers) const {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  if (auto err = connect(ioc, stream, port_, deadline_)) return transport_failure(*err);

  http::request<http::string_body> req;
  req.method_string(method);
  req.target(target);
  req.version(11);
  req.set(http::field::host, "127.0.0.1:" + std::to_string(port_));
  req.set(http::field::connection, "close");
  for (const auto& [name, value] : headers) req.set(name, value);
  const bool has_body = !body.empty();
  req.body() = std::move(body);
  if (has_body || method == "POST" || method == "PUT") req.prepare_payload();

  stream.expires_after(deadline_);
  const auto ec =
      run_op(ioc, [&](auto handler) { http::async_write(stream, req, std::move(handler)); });
  if (ec) return transport_failure("write: " + ec.message());
  return read_response(ioc, stream, deadline_);
}

HttpResponse HttpClient::get(std::string_view target, std::string_view token) const {
  Headers h;
  if (!token.empty()) h.emplace_back("Authorization", "Bearer " + std::string(token));
  return request("GET", target, {}, h);
}

HttpResponse HttpClient::post(std::string_view target, std::string_view token, std::string body,
                              std::string_view content_type) const {
  Headers h;
  if (!token.empty()) h.emplace_back("Authorization", "Bearer " + std::string(token));
  h.emplace_back("Content-Type", std::string(content_type));
  return request("POST", target, std::move(body), h);
}

HttpResponse send_raw(std::uint16_t port, std::string_view bytes, std::chrono::seconds deadline) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  if (auto err = connect(ioc, stream, port, deadline)) return transport_failure(*err);
  stream.expires_after(deadline);
  // A server may answer and close before reading everything (huge headers): a failed write is
  // not a verdict, the response (if any) is.
  run_op(ioc, [&](auto handler) {
    asio::async_write(stream, asio::buffer(bytes.data(), bytes.size()), std::move(handler));
  });
  return read_response(ioc, stream, deadline);
}

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : text) {
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace levain::integration
