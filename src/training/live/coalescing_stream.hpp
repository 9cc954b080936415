#pragma once
/// The next layer under a server `websocket::stream`: many WebSocket frames, one system call.
/// Every frame Beast writes (messages from a synchronous `ws.write()`, and its own pings, pongs
/// and close frames) is appended whole to one buffer; flush() hands everything accumulated to the
/// kernel in one non-blocking send. What the kernel does not take waits for the socket to become
/// writable and goes out then, with whatever was appended meanwhile. Bytes leave in append order
/// and each write appends whole frames, so frames are never split or interleaved.
///
/// Why: one `async_write` per message per watcher meant one `sendmsg` per message; under a burst
/// a session holds many messages, and sending them together divides the syscalls (and the Asio
/// and Beast per-operation work) by their number.
///
/// Rules for the owner (a live session, on the stream's strand):
/// - synchronous writes only append: call flush() after a batch (Beast's own asynchronous writes
///   flush themselves, they are rare);
/// - pending_bytes() is what the kernel has not taken yet: the session's send queue, which it
///   bounds; discard_unsent() drops all but the frame at the head, so a slow consumer holds at
///   most one frame once cut off;
/// - on_sent() is told whenever a wait for writability ended (progress, or the socket failed).
/// Reads, Beast's timeouts (through get_lowest_layer) and the TCP teardown go to the tcp_stream.

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

namespace levain::training {

class CoalescingStream {
 public:
  using executor_type = boost::beast::tcp_stream::executor_type;
  using next_layer_type = boost::beast::tcp_stream;
  using error_code = boost::beast::error_code;

  explicit CoalescingStream(boost::beast::tcp_stream&& stream);
  /// Closes the socket: a wait for writability still pending ends, and with it the shared state.
  ~CoalescingStream();
  CoalescingStream(const CoalescingStream&) = delete;
  CoalescingStream& operator=(const CoalescingStream&) = delete;

  executor_type get_executor() noexcept { return state_->stream.get_executor(); }
  next_layer_type& next_layer() noexcept { return state_->stream; }
  const next_layer_type& next_layer() const noexcept { return state_->stream; }

  // --- what Beast needs of a next layer ---

  template <class MutableBufferSequence, class ReadHandler>
  auto async_read_some(const MutableBufferSequence& buffers, ReadHandler&& handler) {
    return state_->stream.async_read_some(buffers, std::forward<ReadHandler>(handler));
  }
  template <class MutableBufferSequence>
  std::size_t read_some(const MutableBufferSequence& buffers, error_code& ec) {
    return state_->stream.read_some(buffers, ec);
  }
  template <class MutableBufferSequence>
  std::size_t read_some(const MutableBufferSequence& buffers) {
    return state_->stream.read_some(buffers);
  }

  /// Appends (never blocks, never sends): the owner flushes after its batch. Fails only once the
  /// socket has failed.
  template <class ConstBufferSequence>
  std::size_t write_some(const ConstBufferSequence& buffers, error_code& ec) {
    ec = state_->error;
    return ec ? 0 : append(buffers);
  }
  template <class ConstBufferSequence>
  std::size_t write_some(const ConstBufferSequence& buffers) {
    error_code ec;
    const auto n = write_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }

  /// Beast's pings, pongs and close frames: appended and flushed at once; completes (posted,
  /// never inline) as soon as the bytes are queued here, so they cannot hold up anything.
  template <class ConstBufferSequence, class WriteHandler>
  auto async_write_some(const ConstBufferSequence& buffers, WriteHandler&& handler) {
    return boost::asio::async_initiate<WriteHandler, void(error_code, std::size_t)>(
        [this](auto&& done, const ConstBufferSequence& bufs) {
          const error_code ec = state_->error;
          const std::size_t n = ec ? 0 : append(bufs);
          flush();
          boost::asio::post(get_executor(), boost::beast::bind_front_handler(
                                                std::forward<decltype(done)>(done), ec, n));
        },
        handler, buffers);
  }

  // --- what the owner uses ---

  /// From now on the bytes written are WebSocket frames (call it once the handshake is done).
  /// Before, each write is one unit that discard_unsent() keeps or drops whole: the HTTP upgrade
  /// response is not made of frames.
  void start_frames();
  /// Sends what has accumulated: one non-blocking send now; the rest when the socket is writable.
  void flush();
  /// Bytes written here that the kernel has not taken yet.
  std::size_t pending_bytes() const { return state_->buffer.size() - state_->sent; }
  /// Counts the frame just written: tagged_frames_sent() includes it once the kernel took all of
  /// it.
  void tag_last_frame();
  std::uint64_t tagged_frames_sent() const { return state_->tagged_sent; }
  /// Drops every frame the kernel has not started on, except the first one not fully sent: it may
  /// be partly on the wire already, and the peer must get whole frames before a close frame.
  void discard_unsent();
  /// Called on the stream's executor after each wait for writability (with the error if it failed).
  void on_sent(std::function<void(error_code)> callback) { state_->on_sent = std::move(callback); }

  /// The websocket close's TCP teardown, once every byte before it (the close frame) is sent.
  template <class TeardownHandler>
  void async_teardown_after_flush(boost::beast::role_type role, TeardownHandler&& handler) {
    using boost::beast::websocket::async_teardown;
    if (pending_bytes() == 0 || state_->error) {
      return async_teardown(role, state_->stream, std::forward<TeardownHandler>(handler));
    }
    // Held until the wait for writability ends (sent, or the socket failed or closed).
    auto held =
        std::make_shared<std::decay_t<TeardownHandler>>(std::forward<TeardownHandler>(handler));
    state_->teardown = [role, held](boost::beast::tcp_stream& stream) {
      async_teardown(role, stream, std::move(*held));
    };
  }
  void teardown_after_flush(boost::beast::role_type role, error_code& ec);

 private:
  struct Frame {
    std::uint64_t end;  // stream offset just past the frame
    bool tagged;
  };
  /// Shared with the pending wait for writability, which may outlive this object.
  struct State {
    explicit State(boost::beast::tcp_stream&& s) : stream(std::move(s)) {}
    boost::beast::tcp_stream stream;
    std::vector<char> buffer;  // [sent, size) is not taken by the kernel yet
    std::size_t sent = 0;
    std::uint64_t base = 0;        // stream offset of buffer[0]
    std::uint64_t next_frame = 0;  // stream offset of the next frame header to parse
    bool framed = false;           // start_frames() was called
    std::vector<Frame> frames;     // [head, size) are not fully sent
    std::size_t head = 0;
    std::uint64_t tagged_sent = 0;
    bool waiting = false;
    error_code error;
    std::function<void(error_code)> on_sent;
    std::function<void(boost::beast::tcp_stream&)> teardown;  // the close's, once sent
  };

  template <class ConstBufferSequence>
  std::size_t append(const ConstBufferSequence& buffers) {
    std::size_t n = 0;
    for (const auto b : boost::beast::buffers_range_ref(buffers)) {
      const auto* p = static_cast<const char*>(b.data());
      state_->buffer.insert(state_->buffer.end(), p, p + b.size());
      n += b.size();
    }
    parse_frames(*state_);
    return n;
  }
  static void parse_frames(State& s);
  static void send_now(const std::shared_ptr<State>& s);
  static void advance(State& s, std::size_t n);
  static void fail(State& s, error_code ec);
  static void finish_teardown(State& s);

  std::shared_ptr<State> state_;
};

/// Found by Beast (argument-dependent lookup) for the websocket close handshake.
template <class TeardownHandler>
void async_teardown(boost::beast::role_type role, CoalescingStream& stream,
                    TeardownHandler&& handler) {
  stream.async_teardown_after_flush(role, std::forward<TeardownHandler>(handler));
}
void teardown(boost::beast::role_type role, CoalescingStream& stream, boost::beast::error_code& ec);

}  // namespace levain::training
