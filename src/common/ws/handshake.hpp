#pragma once
/// The check of a WebSocket upgrade request, made where the service and the gateway accept one,
/// and the 101 that answers it. RFC 6455 §4.2.1 asks for a Sec-WebSocket-Key that is the base64
/// of 16 bytes (Beast 1.81, which answered upgrades before, only asked for at most 24
/// characters), HTTP/1.1, a Host and WebSocket version 13. Every refused upgrade is answered in
/// the JSON error form of every endpoint (DESIGN.md §2).

#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "common/http/types.hpp"

namespace levain::common::ws {

/// RFC 6455 §4.2.1: 24 base64 characters, the last two `=`, decoding to exactly 16 bytes.
bool is_valid_key(std::string_view key);

/// RFC 6455 §4.2.2: the Sec-WebSocket-Accept for `key` (base64 of the SHA-1 of the key and the
/// protocol's GUID).
std::string accept_key(std::string_view key);

/// The 101 answer to an upgrade request that check_upgrade() let through, with this Server
/// header. No subprotocol and no extension is ever agreed.
std::string upgrade_response(const http::Request& request, std::string_view server);

/// The answer to an upgrade request that must be refused (400, or 426 for another WebSocket
/// version), or nullopt when it may be accepted.
std::optional<http::Response> check_upgrade(const http::Request& request);

/// Sends `response` on `stream`, then closes the connection; `keep` (the connection's slot) lives
/// until then. A peer that does not take the answer within `timeout` is cut.
template <class Stream, class Keep>
void refuse_upgrade(Stream&& stream, http::Response&& response, Keep&& keep,
                    std::chrono::seconds timeout) {
  struct Refusal {
    std::decay_t<Stream> stream;
    http::Response response;
    std::decay_t<Keep> keep;
  };
  auto r = std::make_shared<Refusal>(
      Refusal{std::move(stream), std::move(response), std::forward<Keep>(keep)});
  boost::beast::get_lowest_layer(r->stream).expires_after(timeout);
  boost::beast::http::async_write(r->stream, r->response,
                                  [r](boost::beast::error_code ec, std::size_t) {
                                    if (ec) return;
                                    // The peer reads the answer to its end; the socket closes
                                    // with the last reference to `r`.
                                    boost::beast::get_lowest_layer(r->stream).socket().shutdown(
                                        boost::asio::socket_base::shutdown_send, ec);
                                  });
}

}  // namespace levain::common::ws
