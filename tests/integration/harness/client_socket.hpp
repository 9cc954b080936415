#pragma once
/// The socket a test client watches through, opened with the options that make a slow consumer
/// (shared by the WebSocket and the SSE clients).

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <boost/asio/ip/tcp.hpp>
#include <optional>

namespace levain::integration {

/// Opens `sock` for IPv4 with SO_RCVBUF and TCP_MAXSEG when given; the error, if any, in `ec`.
inline void open_client_socket(boost::asio::ip::tcp::socket& sock,
                               std::optional<int> receive_buffer_bytes,
                               std::optional<int> max_segment_bytes,
                               boost::system::error_code& ec) {
  namespace asio = boost::asio;
  sock.open(asio::ip::tcp::v4(), ec);
  if (!ec && receive_buffer_bytes) {
    sock.set_option(asio::socket_base::receive_buffer_size(*receive_buffer_bytes), ec);
  }
  if (!ec && max_segment_bytes) {
    using MaxSeg = asio::detail::socket_option::integer<IPPROTO_TCP, TCP_MAXSEG>;
    sock.set_option(MaxSeg(*max_segment_bytes), ec);
  }
}

}  // namespace levain::integration
