#pragma once
/// Resolve + TCP connect before a deadline: the first steps of every CLI request and watch.

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <string>

#include "cli/client/run_until.hpp"

namespace levain::cli::detail {

struct ConnectResult {
  boost::system::error_code ec;
  const char* step = "";  // "resolving" or "connecting to", for the caller's message
};

template <class Deadline>
ConnectResult connect_until(boost::asio::io_context& ioc, boost::beast::tcp_stream& stream,
                            const std::string& host, const std::string& port, Deadline&& deadline) {
  using tcp = boost::asio::ip::tcp;
  tcp::resolver resolver(ioc);
  tcp::resolver::results_type addresses;
  auto ec = run_until(
      ioc,
      [&](Completion done) {
        resolver.async_resolve(
            host, port,
            [&addresses, done](boost::system::error_code e, tcp::resolver::results_type r) {
              addresses = std::move(r);
              done(e);
            });
      },
      deadline, [&resolver] { resolver.cancel(); });
  if (ec) return {ec, "resolving"};
  ec = run_until(
      ioc, [&](Completion done) { stream.async_connect(addresses, done); }, deadline,
      [&stream] { stream.close(); });
  return {ec, ec ? "connecting to" : ""};
}

}  // namespace levain::cli::detail
