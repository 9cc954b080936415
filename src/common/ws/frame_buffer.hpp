#pragma once
/// The bytes a CoalescingStream holds for its peer, and where the frames among them end: what
/// lets it drop unsent frames whole and count the frames the peer was sent. Each append is one
/// whole frame (a WebSocket frame, an SSE message, the HTTP upgrade response): the framings
/// write a frame in one call, so nothing here parses frame headers. No I/O: the stream appends,
/// sends from unsent_data() and reports what went with advance().

#include <boost/beast/core/buffers_range.hpp>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace levain::common::ws {

class FrameBuffer {
 public:
  /// A copy for a write in flight (CoalescingStream over TLS) larger than this is freed once
  /// sent rather than kept: thousands of idle watchers must not each hold the largest batch they
  /// ever sent. The buffer here is freed whenever everything in it was sent.
  static constexpr std::size_t kKeepCapacity = 2048;

  template <class ConstBufferSequence>
  std::size_t append(const ConstBufferSequence& buffers) {
    std::size_t n = 0;
    for (const auto b : boost::beast::buffers_range_ref(buffers)) {
      const auto* p = static_cast<const char*>(b.data());
      buffer_.insert(buffer_.end(), p, p + b.size());
      n += b.size();
    }
    frames_.push_back({base_ + buffer_.size(), false});
    return n;
  }

  const char* unsent_data() const { return buffer_.data() + sent_; }
  std::size_t unsent_bytes() const { return buffer_.size() - sent_; }
  /// The next `n` unsent bytes are sent.
  void advance(std::size_t n);

  /// Counts the frame just appended: tagged_sent() includes it once all of it is sent.
  void tag_last_frame();
  std::uint64_t tagged_sent() const { return tagged_sent_; }

  /// Drops every frame not started on, except the first one not fully sent (it may be partly on
  /// the wire already, and the peer must get whole frames before a close frame) and those
  /// holding the next `in_flight` bytes (handed to a write that cannot be taken back).
  void discard_unsent(std::size_t in_flight);
  /// Drops everything: the connection failed, nothing more can be sent.
  void clear();

 private:
  struct Frame {
    std::uint64_t end;  // stream offset just past the frame
    bool tagged;
  };

  std::vector<char> buffer_;  // [sent_, size) is not sent yet
  std::size_t sent_ = 0;
  std::uint64_t base_ = 0;     // stream offset of buffer_[0]
  std::vector<Frame> frames_;  // [head_, size) are not fully sent
  std::size_t head_ = 0;
  std::uint64_t tagged_sent_ = 0;
};

}  // namespace levain::common::ws
