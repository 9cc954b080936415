#include "training/live/coalescing_stream.hpp"

#include <boost/asio/error.hpp>
#include <boost/beast/core/stream_traits.hpp>

namespace levain::training {

namespace net = boost::asio;
namespace beast = boost::beast;

namespace {
// After a burst the buffer is freed rather than kept: thousands of idle watchers must not each
// hold the largest batch they ever sent. A small one is kept so a steady trickle does not
// allocate per message.
constexpr std::size_t kKeepCapacity = 2048;
constexpr std::size_t kKeepFrames = 64;
}  // namespace

CoalescingStream::CoalescingStream(beast::tcp_stream&& stream)
    : state_(std::make_shared<State>(std::move(stream))) {
  // Sends are attempted inline and must report "would block" rather than wait.
  error_code ignored;
  state_->stream.socket().non_blocking(true, ignored);
}

CoalescingStream::~CoalescingStream() {
  // The session is gone; the wait for writability (which shares the state) ends with the socket.
  if (state_->waiting) state_->stream.close();
}

void CoalescingStream::flush() { send_now(state_); }

void CoalescingStream::start_frames() {
  auto& s = *state_;
  s.framed = true;
  s.next_frame = s.base + s.buffer.size();
}

void CoalescingStream::tag_last_frame() {
  if (!state_->frames.empty()) state_->frames.back().tagged = true;
}

void CoalescingStream::discard_unsent() {
  auto& s = *state_;
  if (s.head >= s.frames.size()) return;  // nothing pending, or only part of a frame (cannot be)
  const auto keep_to = s.frames[s.head].end;
  if (keep_to < s.base + s.buffer.size()) s.buffer.resize(keep_to - s.base);
  s.frames.resize(s.head + 1);
  s.next_frame = keep_to;
}

void CoalescingStream::teardown_after_flush(beast::role_type role, error_code& ec) {
  // Only the synchronous close uses this (the live sessions never do): one last attempt to send,
  // then the plain TCP teardown.
  flush();
  using beast::websocket::teardown;
  teardown(role, state_->stream, ec);
}

// RFC 6455 §5.2: a 7-bit length, or 126 + 16 bits, or 127 + 64 bits, then a 4-byte mask key
// when the mask bit is set. Knowing where frames end lets discard_unsent() cut between frames
// and tagged_frames_sent() count whole ones, however Beast split its writes into calls.
void CoalescingStream::parse_frames(State& s) {
  const auto size = s.buffer.size();
  if (!s.framed) {
    s.next_frame = s.base + size;
    s.frames.push_back({s.next_frame, false});
    return;
  }
  const auto* data = reinterpret_cast<const unsigned char*>(s.buffer.data());
  while (s.next_frame - s.base + 2 <= size) {
    const auto at = static_cast<std::size_t>(s.next_frame - s.base);
    const unsigned len7 = data[at + 1] & 0x7fu;
    const std::size_t extra = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
    const std::size_t header = 2 + extra + ((data[at + 1] & 0x80u) ? 4 : 0);
    if (at + header > size) return;
    std::uint64_t length = len7;
    if (extra > 0) {
      length = 0;
      for (std::size_t i = 0; i < extra; ++i) length = (length << 8) | data[at + 2 + i];
    }
    s.next_frame += header + length;
    s.frames.push_back({s.next_frame, false});
  }
}

void CoalescingStream::advance(State& s, std::size_t n) {
  s.sent += n;
  const auto at = s.base + s.sent;
  while (s.head < s.frames.size() && s.frames[s.head].end <= at) {
    if (s.frames[s.head].tagged) ++s.tagged_sent;
    ++s.head;
  }
  if (s.sent == s.buffer.size()) {
    s.base += s.buffer.size();
    s.sent = 0;
    s.buffer.clear();
    if (s.buffer.capacity() > kKeepCapacity) std::vector<char>().swap(s.buffer);
    // A frame still being appended (its end beyond the buffer) stays in the list.
    s.frames.erase(s.frames.begin(), s.frames.begin() + static_cast<std::ptrdiff_t>(s.head));
    s.head = 0;
    if (s.frames.empty() && s.frames.capacity() > kKeepFrames) std::vector<Frame>().swap(s.frames);
  } else if (s.sent > s.buffer.size() / 2) {
    // Congested: drop what was sent once it is most of the buffer (amortised, not per send).
    s.buffer.erase(s.buffer.begin(), s.buffer.begin() + static_cast<std::ptrdiff_t>(s.sent));
    s.base += s.sent;
    s.sent = 0;
    s.frames.erase(s.frames.begin(), s.frames.begin() + static_cast<std::ptrdiff_t>(s.head));
    s.head = 0;
  }
}

void CoalescingStream::fail(State& s, error_code ec) {
  s.error = ec;
  s.base += s.buffer.size();
  s.next_frame = s.base;
  s.sent = 0;
  std::vector<char>().swap(s.buffer);
  s.frames.clear();
  s.head = 0;
}

void CoalescingStream::send_now(const std::shared_ptr<State>& s) {
  if (s->waiting || s->error) return;
  while (s->sent < s->buffer.size()) {
    error_code ec;
    const auto want = s->buffer.size() - s->sent;
    const auto n = s->stream.socket().write_some(net::buffer(s->buffer.data() + s->sent, want), ec);
    if (ec == net::error::would_block || ec == net::error::try_again) break;
    if (ec) return fail(*s, ec);
    advance(*s, n);
    if (n < want) break;  // the kernel's buffer is full: another try now would only fail
  }
  if (s->sent == s->buffer.size()) return;
  // The kernel's buffer is full: wait until the peer reads. The handler owns the state, so it
  // is safe even if the stream goes first (its destructor closes the socket to end the wait).
  s->waiting = true;
  s->stream.socket().async_wait(net::socket_base::wait_write, [s](error_code ec) {
    s->waiting = false;
    if (ec) {
      fail(*s, ec);
    } else {
      send_now(s);
    }
    if (s->teardown && (s->error || s->sent == s->buffer.size())) finish_teardown(*s);
    if (s->on_sent) s->on_sent(s->error);
  });
}

void CoalescingStream::finish_teardown(State& s) {
  auto teardown = std::move(s.teardown);
  s.teardown = nullptr;
  teardown(s.stream);
}

void teardown(beast::role_type role, CoalescingStream& stream, beast::error_code& ec) {
  stream.teardown_after_flush(role, ec);
}

}  // namespace levain::training
