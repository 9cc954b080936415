#pragma once
/// The next layer under a server `websocket::stream`: many WebSocket frames, one send.
/// Every frame Beast writes (messages from a synchronous `ws.write()`, and its own pings, pongs
/// and close frames) is appended whole to one buffer; flush() hands everything accumulated to the
/// next layer at once. Over a `tcp_stream` that is one non-blocking send, and what the kernel
/// does not take waits for the socket to become writable and goes out then, with whatever was
/// appended meanwhile. Over any other stream (TLS: no non-blocking send) it is one `async_write`
/// of what has accumulated, and what is appended meanwhile goes in the next one. Bytes leave in
/// append order and each write appends whole frames, so frames are never split or interleaved.
///
/// Why: one `async_write` per message per watcher meant one `sendmsg` (and one TLS record) per
/// message; under a burst a session holds many messages, and sending them together divides the
/// syscalls (and the Asio and Beast per-operation work) by their number.
///
/// Rules for the owner (on the stream's thread or strand):
/// - synchronous writes only append: call flush() after a batch (Beast's own asynchronous writes
///   flush themselves, they are rare);
/// - pending_bytes() is what the next layer has not taken yet: the owner's send queue, which it
///   bounds; discard_unsent() drops all but the frame at the head (and a write in flight), so a
///   slow consumer holds at most that once cut off;
/// - on_sent() is told whenever a wait for the next layer ended (progress, or the stream failed);
///   on_own_frame() after each frame Beast wrote by itself was queued (see send_bound.hpp).
/// Reads, Beast's timeouts (through get_lowest_layer) and the teardown go to the next layer.

#include <boost/asio/async_result.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
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
  // A bare socket: what a watcher's WebSocket runs on once open (Beast's own timer keeps its
  // timeouts, so the tcp_stream's timers and its 0.5 KiB are not needed per watcher).
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
    if (!state_->waiting) return;
    if constexpr (kIsSocket) {
      error_code ignored;
      state_->stream.close(ignored);
    } else {
      boost::beast::get_lowest_layer(state_->stream).close();
    }
  }
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
  /// stream has failed.
  template <class ConstBufferSequence>
  std::size_t write_some(const ConstBufferSequence& buffers, error_code& ec) {
    ec = state_->error;
    return ec ? 0 : state_->bytes.append(buffers);
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
          const std::size_t n = ec ? 0 : state_->bytes.append(bufs);
          flush();
          // The owner's send bound counts these bytes too (a pong per ping of a peer that never
          // reads): it hears of them before Beast's operation goes on.
          boost::asio::post(get_executor(), [s = state_, n] {
            if (s->on_own_frame) s->on_own_frame(n);
          });
          boost::asio::post(get_executor(), boost::beast::bind_front_handler(
                                                std::forward<decltype(done)>(done), ec, n));
        },
        handler, buffers);
  }

  // --- what the owner uses ---

  /// From now on the bytes written are WebSocket frames (call it once the handshake is done).
  void start_frames() { state_->bytes.start_frames(); }
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
  /// Called on the stream's executor after Beast queued bytes of its own (a ping, a pong, a close
  /// frame, the upgrade response), with their number.
  void on_own_frame(std::function<void(std::size_t)> callback) {
    state_->on_own_frame = std::move(callback);
  }

  /// The websocket close's teardown, once every byte before it (the close frame) is sent.
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
  /// Only a synchronous close uses this (nothing here does): one last try, then the teardown.
  void teardown_after_flush(boost::beast::role_type role, error_code& ec) {
    if constexpr (kNonBlocking) flush();
    using boost::beast::websocket::teardown;
    teardown(role, state_->stream, ec);
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

/// Found by Beast (argument-dependent lookup) for the websocket close handshake.
template <class NextLayer, class TeardownHandler>
void async_teardown(boost::beast::role_type role, CoalescingStream<NextLayer>& stream,
                    TeardownHandler&& handler) {
  stream.async_teardown_after_flush(role, std::forward<TeardownHandler>(handler));
}
template <class NextLayer>
void teardown(boost::beast::role_type role, CoalescingStream<NextLayer>& stream,
              boost::beast::error_code& ec) {
  stream.teardown_after_flush(role, ec);
}

}  // namespace levain::common::ws
