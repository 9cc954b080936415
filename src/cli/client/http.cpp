// The only HTTP translation unit of the client (Beast is slow to compile).
#include "cli/client/http.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <stdexcept>

#include "cli/client/connect_until.hpp"
#include "cli/client/run_until.hpp"
#include "cli/client/tls.hpp"

namespace levain::cli {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct Exchange {
  const Endpoint& endpoint;
  std::chrono::seconds timeout;
  std::uint64_t max_body_bytes;
  std::chrono::steady_clock::time_point deadline;
  std::string where;

  std::runtime_error fail(const std::string& step, const beast::error_code& ec) const {
    if (ec == beast::error::timeout) {
      return std::runtime_error(step + " " + where + " timed out after " +
                                std::to_string(timeout.count()) + " s");
    }
    return std::runtime_error(step + " " + where + " failed: " + ec.message());
  }

  // Plain TCP or TLS, once connected: one request, one response.
  template <class Stream>
  HttpResponse send(net::io_context& ioc, Stream& stream,
                    http::request<http::string_body>& request) const {
    const auto until = [this] { return deadline; };
    const auto close_stream = [&stream] { beast::get_lowest_layer(stream).close(); };
    beast::error_code ec = detail::run_until(
        ioc, [&](detail::Completion done) { http::async_write(stream, request, done); }, until,
        close_stream);
    // A server may answer early (e.g. 413) and close before reading everything we send; its
    // response is still worth reading, so a failed write falls through to the read.
    const beast::error_code write_error = ec;

    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(max_body_bytes);
    ec = detail::run_until(
        ioc, [&](detail::Completion done) { http::async_read(stream, buffer, parser, done); },
        until, close_stream);
    if (ec) {
      throw fail(write_error ? "sending the request to" : "reading the response from",
                 write_error ? write_error : ec);
    }
    auto& response = parser.get();
    HttpResponse result;
    result.status = static_cast<int>(response.result_int());
    result.content_type = std::string(response[http::field::content_type]);
    result.body = std::move(response.body());
    // One request per connection: no TLS close_notify round trip, just the TCP close.
    beast::error_code ignored;
    beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_both, ignored);
    return result;
  }
};

}  // namespace

HttpResponse http_request(const Endpoint& endpoint, http::verb method, std::string target,
                          std::string body, std::string content_type, std::string bearer_token,
                          std::chrono::seconds timeout,
                          const std::vector<std::pair<std::string, std::string>>& headers,
                          std::uint64_t max_body_bytes) {
  const Exchange exchange{endpoint, timeout, max_body_bytes,
                          std::chrono::steady_clock::now() + timeout, origin(endpoint)};
  const auto until = [&exchange] { return exchange.deadline; };

  http::request<http::string_body> request{method, endpoint.base_path + target, 11};
  request.set(http::field::host, host_header(endpoint));
  request.set(http::field::user_agent, "levain-cli");
  request.set(http::field::accept, "application/json");
  if (!bearer_token.empty()) request.set(http::field::authorization, "Bearer " + bearer_token);
  if (!content_type.empty()) request.set(http::field::content_type, content_type);
  for (const auto& [name, value] : headers) request.set(name, value);
  request.keep_alive(false);
  request.body() = std::move(body);
  request.prepare_payload();

  net::io_context ioc;
  if (!endpoint.tls) {
    beast::tcp_stream stream(ioc);
    const auto connected = detail::connect_until(ioc, stream, endpoint.host, endpoint.port, until);
    if (connected.ec) throw exchange.fail(connected.step, connected.ec);
    return exchange.send(ioc, stream, request);
  }
  auto context = make_tls_context(endpoint);
  TlsStream stream(ioc, context);
  auto& tcp_layer = beast::get_lowest_layer(stream);
  const auto connected = detail::connect_until(ioc, tcp_layer, endpoint.host, endpoint.port, until);
  if (connected.ec) throw exchange.fail(connected.step, connected.ec);
  prepare_tls(stream, endpoint);
  const beast::error_code ec = detail::run_until(
      ioc,
      [&](detail::Completion done) { stream.async_handshake(net::ssl::stream_base::client, done); },
      until, [&tcp_layer] { tcp_layer.close(); });
  if (ec == beast::error::timeout) throw exchange.fail("TLS handshake with", ec);
  if (ec) throw std::runtime_error(describe_tls_failure(ec, stream, endpoint).message);
  return exchange.send(ioc, stream, request);
}

}  // namespace levain::cli
