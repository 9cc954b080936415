#pragma once
/// The Server-Sent Events framing of a live connection (sender.hpp): each message is one unit of
/// the coalescing layer (dropped or kept whole), and the close is an `event: close` message
/// followed by the end of the stream. The socket is cut `close_timeout` after the close at the
/// latest, whether or not the reader took it.

#include <boost/asio/buffer.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "common/live/sse_message.hpp"
#include "common/live/transport.hpp"
#include "common/ws/coalescing_stream.hpp"

namespace levain::common::live {

template <class NextLayer>
class SseFraming {
 public:
  using Layer = ws::CoalescingStream<NextLayer>;

  SseFraming(NextLayer&& stream, std::chrono::seconds close_timeout)
      : layer_(std::move(stream)),
        deadline_(layer_.get_executor()),
        close_timeout_(close_timeout) {}

  Layer& layer() { return layer_; }

  /// Raw bytes as one unit: the response head, a heartbeat comment.
  bool write_raw(std::string_view bytes) {
    boost::beast::error_code ec;
    layer_.write_some(boost::asio::buffer(bytes.data(), bytes.size()), ec);
    return !ec;
  }

  // --- what Sender needs ---
  /// A message without a type is written as it is (a comment).
  std::size_t size(std::string_view message, const MessageMeta& meta) const {
    return meta.type.empty() ? message.size() : sse_message_size(meta.seq, meta.type, message);
  }
  bool open() const { return !closed_; }
  bool write(std::string_view message, const MessageMeta& meta) {
    if (closed_) return false;
    if (meta.type.empty()) return write_raw(message);
    scratch_.clear();
    append_sse_message(scratch_, meta.seq, meta.type, message);
    return write_raw(scratch_);
  }
  void close(std::uint16_t code, const std::string& reason, std::shared_ptr<void> keep) {
    closed_ = true;
    scratch_.clear();
    append_sse_close(scratch_, code, reason);
    write_raw(scratch_);
    std::string().swap(scratch_);
    layer_.flush();
    deadline_.expires_after(close_timeout_);
    deadline_.async_wait([this, keep](boost::beast::error_code ec) {
      if (!ec) boost::beast::get_lowest_layer(layer_.next_layer()).close();
    });
    // Ends the stream once the close event is out: the reader sees the end right after it.
    layer_.async_teardown_after_flush(
        boost::beast::role_type::server, [this, keep](boost::beast::error_code) {
          deadline_.cancel();
          boost::beast::error_code ignored;
          boost::beast::get_lowest_layer(layer_.next_layer()).socket().close(ignored);
        });
  }

 private:
  Layer layer_;
  boost::asio::steady_timer deadline_;
  std::chrono::seconds close_timeout_;
  std::string scratch_;
  bool closed_ = false;
};

}  // namespace levain::common::live
