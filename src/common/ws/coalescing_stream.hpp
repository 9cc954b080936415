#pragma once
/// What a live connection writes through (common/live/ws_framing.hpp, sse_framing.hpp): many
/// WebSocket frames (or SSE messages), one send. Each write appends whole frames to one buffer;
/// flush() hands everything accumulated to the next layer at once. Over a bare socket or a
/// `tcp_stream` that is one non-blocking send, and what the kernel does not take waits for the
/// socket to become writable and goes out then, with whatever was appended meanwhile. Over any
/// other stream (TLS: no non-blocking send) it is one `async_write` of what has accumulated, and
/// what is appended meanwhile goes in the next one. Bytes leave in append order, so frames are
/// never split or interleaved.
///
/// Why: one `async_write` per message per watcher meant one `sendmsg` (and one TLS record) per
/// message; under a burst a connection holds many messages, and sending them together divides
/// the syscalls (and the Asio per-operation work) by their number.
///
/// Rules for the owner (on the stream's thread):
/// - each write_some() appends one whole frame, and only appends: call flush() after a batch;
/// write_own() (the framing's pings,
///   pongs and close frames) flushes at once;
/// - pending_bytes() is what the next layer has not taken yet: the owner's send queue, which it
///   bounds; discard_unsent() drops all but the frame at the head (and a write in flight), so a
///   slow consumer holds at most that once cut off;
/// - on_sent() is told whenever a wait for the next layer ended (progress, or the stream failed);
///   on_own_frame() after each write_own() (see send_bound.hpp).
/// Reads and the teardown go to the next layer.

#include <boost/asio/error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/ws/frame_buffer.hpp"

namespace levain::common::ws {

template <class NextLayer>
class CoalescingStream {
  static constexpr bool kIsTcpStream = std::is_same_v<NextLayer, boost::beast::tcp_stream>;
  // A bare socket: what a watcher's WebSocket runs on once open (the framing's one timer keeps
  // its timeouts, so the tcp_stream's timers and its 0.5 KiB are not needed per watcher).
  static constexpr bool kIsSocket = std::is_same_v<NextLayer, boost::asio::ip::tcp::socket>;
  static constexpr bool kNonBlocking = kIsTcpStream || kIsSocket;

  static auto& socket_of(NextLayer& stream) {
    if constexpr (kIsTcpStream) {
      return stream.socket();
    } else {
      return stream;
    }
  }

 public:
  using executor_type = typename NextLayer::executor_type;
  using next_layer_type = NextLayer;
  using error_code = boost::beast::error_code;

  explicit CoalescingStream(NextLayer&& stream)
      : state_(std::make_shared<State>(std::move(stream))) {
    if constexpr (kNonBlocking) {
      // Sends are attempted inline and must report "would block" rather than wait.
      error_code ignored;
      socket_of(state_->stream).non_blocking(true, ignored);
    }
  }
  /// Closes the socket: a wait still pending ends, and with it the shared state.
  ~CoalescingStream() {
    if (state_->waiting) close_socket();
  }
  CoalescingStream(const CoalescingStream&) = delete;
  CoalescingStream& operator=(const CoalescingStream&) = delete;

  executor_type get_executor() noexcept { return state_->stream.get_executor(); }
  next_layer_type& next_layer() noexcept { return state_->stream; }
  const next_layer_type& next_layer() const noexcept { return state_->stream; }

  // --- what the framing writes through, and reads from ---

  template <class MutableBufferSequence, class ReadHandler>
  auto async_read_some(const MutableBufferSequence& buffers, ReadHandler&& handler) {
    return state_->stream.async_read_some(buffers, std::forward<ReadHandler>(handler));
  }
  /// Appends (never blocks, never sends): the owner flushes after its batch. Fails only once the
  /// stream has failed.
  template <class ConstBufferSequence>
  std::size_t write_some(const ConstBufferSequence& buffers, error_code& ec) {
    ec = state_->error;
    return ec ? 0 : state_->bytes.append(buffers);
  }

  // --- what the owner uses ---

  /// A frame the framing writes by itself (a ping, a pong, a close): appended and flushed at
  /// once; on_own_frame() hears of it (posted, so never inside the caller).
  template <class ConstBufferSequence>
  void write_own(const ConstBufferSequence& buffers) {
    if (state_->error) return;
    const std::size_t n = state_->bytes.append(buffers);
    flush();
    boost::asio::post(get_executor(), [s = state_, n] {
      if (s->on_own_frame) s->on_own_frame(n);
    });
  }
  /// Closes the socket below: every operation pending on it ends.
  void close_socket() {
    error_code ignored;
    if constexpr (kIsSocket) {
      state_->stream.close(ignored);
    } else {
      boost::beast::get_lowest_layer(state_->stream).socket().close(ignored);
    }
  }

  /// Hands what has accumulated to the next layer (see the top of this file).
  void flush() { send_now(state_); }
  /// Bytes written here that the next layer has not taken yet.
  std::size_t pending_bytes() const { return state_->bytes.unsent_bytes(); }
  /// Counts the frame just written: tagged_frames_sent() includes it once all of it was sent.
  void tag_last_frame() { state_->bytes.tag_last_frame(); }
  std::uint64_t tagged_frames_sent() const { return state_->bytes.tagged_sent(); }
  /// Drops every frame not started on (see FrameBuffer::discard_unsent).
  void discard_unsent() {
    state_->bytes.discard_unsent(state_->waiting ? state_->in_flight.size() : 0);
  }
  /// Called on the stream's executor after each wait (with the error if the stream failed).
  void on_sent(std::function<void(error_code)> callback) { state_->on_sent = std::move(callback); }
  /// Called on the stream's executor after each write_own(), with the number of its bytes.
  void on_own_frame(std::function<void(std::size_t)> callback) {
    state_->on_own_frame = std::move(callback);
  }

  /// The close's teardown (Beast's, for the next layer's type), once every byte before it (the
  /// close frame) is sent.
  template <class TeardownHandler>
  void async_teardown_after_flush(boost::beast::role_type role, TeardownHandler&& handler) {
    using boost::beast::websocket::async_teardown;
    if (pending_bytes() == 0 || state_->error) {
      return async_teardown(role, state_->stream, std::forward<TeardownHandler>(handler));
    }
    // Held until the wait ends (sent, or the stream failed or closed).
    auto held =
        std::make_shared<std::decay_t<TeardownHandler>>(std::forward<TeardownHandler>(handler));
    state_->teardown = [role, held](NextLayer& stream) {
      async_teardown(role, stream, std::move(*held));
    };
  }

 private:
  /// Shared with the pending wait, which may outlive this object.
  struct State {
    explicit State(NextLayer&& s) : stream(std::move(s)) {}
    NextLayer stream;
    FrameBuffer bytes;
    std::vector<char> in_flight;  // what the async_write in progress sends (not kNonBlocking)
    bool waiting = false;         // for writability, or for the async_write in progress
    error_code error;
    std::function<void(error_code)> on_sent;
    std::function<void(std::size_t)> on_own_frame;
    std::function<void(NextLayer&)> teardown;  // the close's, once sent
  };

  static void send_now(const std::shared_ptr<State>& s) {
    if (s->waiting || s->error || s->bytes.unsent_bytes() == 0) return;
    if constexpr (kNonBlocking) {
      send_non_blocking(s);
    } else {
      send_async(s);
    }
  }

  static void send_non_blocking(const std::shared_ptr<State>& s) {
    namespace net = boost::asio;
    auto& bytes = s->bytes;
    while (bytes.unsent_bytes() > 0) {
      error_code ec;
      const auto want = bytes.unsent_bytes();
      const auto n = socket_of(s->stream).write_some(net::buffer(bytes.unsent_data(), want), ec);
      if (ec == net::error::would_block || ec == net::error::try_again) break;
      if (ec) return fail(*s, ec);
      bytes.advance(n);
      if (n < want) break;  // the kernel's buffer is full: another try now would only fail
    }
    if (bytes.unsent_bytes() == 0) return;
    // Wait until the peer reads. The handler owns the state, so it is safe even if the stream
    // goes first (its destructor closes the socket to end the wait).
    s->waiting = true;
    socket_of(s->stream).async_wait(net::socket_base::wait_write, [s](error_code ec) {
      s->waiting = false;
      if (ec) {
        fail(*s, ec);
      } else {
        send_now(s);
      }
      after_wait(*s);
    });
  }

  // A copy goes out, as appends during the write may move the buffer; it is what a TLS record
  // is made from anyway, so the copy is small next to the encryption.
  static void send_async(const std::shared_ptr<State>& s) {
    const auto* data = s->bytes.unsent_data();
    s->in_flight.assign(data, data + s->bytes.unsent_bytes());
    s->waiting = true;
    boost::asio::async_write(
        s->stream, boost::asio::buffer(s->in_flight), [s](error_code ec, std::size_t n) {
          s->waiting = false;
          if (ec) {
            fail(*s, ec);
          } else {
            s->bytes.advance(n);
            send_now(s);
          }
          if (!s->waiting && s->in_flight.capacity() > FrameBuffer::kKeepCapacity) {
            std::vector<char>().swap(s->in_flight);
          }
          after_wait(*s);
        });
  }

  static void fail(State& s, error_code ec) {
    s.error = ec;
    s.bytes.clear();
  }

  static void after_wait(State& s) {
    if (s.teardown && (s.error || s.bytes.unsent_bytes() == 0)) {
      auto teardown = std::move(s.teardown);
      s.teardown = nullptr;
      teardown(s.stream);
    }
    if (s.on_sent) s.on_sent(s.error);
  }

  std::shared_ptr<State> state_;
};

}  // namespace levain::common::ws
