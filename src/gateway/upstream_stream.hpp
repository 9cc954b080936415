#pragma once
/// The next layer under the gateway's replica-side `websocket::stream`: a tcp_stream that says
/// when Beast goes to the socket for more bytes. Beast does so only once it has handed over every
/// complete message it had read, so that is when the relay flushes what it wrote to the client:
/// one send per read of the replica's burst instead of one per message. Only asynchronous
/// operations: the relay never reads or writes the replica synchronously.

#include <boost/beast/core/error.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <functional>
#include <utility>

namespace levain::gateway {

class UpstreamStream {
 public:
  using executor_type = boost::beast::tcp_stream::executor_type;
  using next_layer_type = boost::beast::tcp_stream;
  using error_code = boost::beast::error_code;

  template <class Executor>
  explicit UpstreamStream(const Executor& executor) : stream_(executor) {}

  executor_type get_executor() noexcept { return stream_.get_executor(); }
  next_layer_type& next_layer() noexcept { return stream_; }
  const next_layer_type& next_layer() const noexcept { return stream_; }

  /// Called on the stream's executor each time a read goes to the socket.
  void before_socket_read(std::function<void()> callback) { before_read_ = std::move(callback); }

  template <class MutableBufferSequence, class ReadHandler>
  auto async_read_some(const MutableBufferSequence& buffers, ReadHandler&& handler) {
    if (before_read_) before_read_();
    return stream_.async_read_some(buffers, std::forward<ReadHandler>(handler));
  }
  template <class ConstBufferSequence, class WriteHandler>
  auto async_write_some(const ConstBufferSequence& buffers, WriteHandler&& handler) {
    return stream_.async_write_some(buffers, std::forward<WriteHandler>(handler));
  }

 private:
  boost::beast::tcp_stream stream_;
  std::function<void()> before_read_;
};

/// Found by Beast (argument-dependent lookup) for the websocket close handshake.
template <class TeardownHandler>
void async_teardown(boost::beast::role_type role, UpstreamStream& stream,
                    TeardownHandler&& handler) {
  using boost::beast::websocket::async_teardown;
  async_teardown(role, stream.next_layer(), std::forward<TeardownHandler>(handler));
}
inline void teardown(boost::beast::role_type role, UpstreamStream& stream,
                     boost::beast::error_code& ec) {
  using boost::beast::websocket::teardown;
  teardown(role, stream.next_layer(), ec);
}

}  // namespace levain::gateway
