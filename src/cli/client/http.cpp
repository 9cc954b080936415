// The only HTTP translation unit of the client (Beast is slow to compile).
#include "cli/client/http.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <stdexcept>

#include "cli/client/connect_until.hpp"
#include "cli/client/run_until.hpp"

namespace levain::cli {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr std::uint64_t kMaxResponseBytes = 256u << 20;

}  // namespace

HttpResponse http_request(const Endpoint& endpoint, http::verb method, std::string target,
                          std::string body, std::string content_type, std::string bearer_token,
                          std::chrono::seconds timeout) {
  const std::string where = "http://" + host_header(endpoint);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const auto until = [deadline] { return deadline; };
  const auto fail = [&](const std::string& step,
                        const beast::error_code& ec) -> std::runtime_error {
    if (ec == beast::error::timeout) {
      return std::runtime_error(step + " " + where + " timed out after " +
                                std::to_string(timeout.count()) + " s");
    }
    return std::runtime_error(step + " " + where + " failed: " + ec.message());
  };

  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  const auto close_stream = [&stream] { stream.close(); };
  const auto connected = detail::connect_until(ioc, stream, endpoint.host, endpoint.port, until);
  if (connected.ec) throw fail(connected.step, connected.ec);
  beast::error_code ec;

  http::request<http::string_body> request{method, endpoint.base_path + target, 11};
  request.set(http::field::host, host_header(endpoint));
  request.set(http::field::user_agent, "levain-cli");
  request.set(http::field::accept, "application/json");
  if (!bearer_token.empty()) request.set(http::field::authorization, "Bearer " + bearer_token);
  if (!content_type.empty()) request.set(http::field::content_type, content_type);
  request.keep_alive(false);
  request.body() = std::move(body);
  request.prepare_payload();
  ec = detail::run_until(
      ioc, [&](detail::Completion done) { http::async_write(stream, request, done); }, until,
      close_stream);
  // A server may answer early (e.g. 413) and close before reading everything we send; its
  // response is still worth reading, so a failed write falls through to the read.
  const beast::error_code write_error = ec;

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxResponseBytes);
  ec = detail::run_until(
      ioc, [&](detail::Completion done) { http::async_read(stream, buffer, parser, done); }, until,
      close_stream);
  if (ec)
    throw fail(write_error ? "sending the request to" : "reading the response from",
               write_error ? write_error : ec);

  auto& response = parser.get();
  HttpResponse result;
  result.status = static_cast<int>(response.result_int());
  result.content_type = std::string(response[http::field::content_type]);
  result.body = std::move(response.body());
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  return result;
}

}  // namespace levain::cli
