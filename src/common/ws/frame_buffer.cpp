#include "common/ws/frame_buffer.hpp"

namespace levain::common::ws {

namespace {
// Kept after a burst so a steady trickle does not allocate the frame list per message.
constexpr std::size_t kKeepFrames = 64;
}  // namespace

void FrameBuffer::start_frames() {
  framed_ = true;
  next_frame_ = base_ + buffer_.size();
}

void FrameBuffer::tag_last_frame() {
  if (!frames_.empty()) frames_.back().tagged = true;
}

void FrameBuffer::discard_unsent(std::size_t in_flight) {
  if (head_ >= frames_.size()) return;  // nothing pending, or only part of a frame (cannot be)
  const auto in_flight_end = base_ + sent_ + in_flight;
  auto last = head_;
  while (last + 1 < frames_.size() && frames_[last].end < in_flight_end) ++last;
  const auto keep_to = frames_[last].end;
  if (keep_to < base_ + buffer_.size()) buffer_.resize(keep_to - base_);
  frames_.resize(last + 1);
  next_frame_ = keep_to;
}

void FrameBuffer::clear() {
  base_ += buffer_.size();
  next_frame_ = base_;
  sent_ = 0;
  std::vector<char>().swap(buffer_);
  frames_.clear();
  head_ = 0;
}

// RFC 6455 §5.2: a 7-bit length, or 126 + 16 bits, or 127 + 64 bits, then a 4-byte mask key
// when the mask bit is set. Knowing where frames end lets discard_unsent() cut between frames
// and tagged_sent() count whole ones, however a framing splits a frame into writes.
void FrameBuffer::parse_frames() {
  const auto size = buffer_.size();
  if (!framed_) {
    next_frame_ = base_ + size;
    frames_.push_back({next_frame_, false});
    return;
  }
  const auto* data = reinterpret_cast<const unsigned char*>(buffer_.data());
  while (next_frame_ - base_ + 2 <= size) {
    const auto at = static_cast<std::size_t>(next_frame_ - base_);
    const unsigned len7 = data[at + 1] & 0x7fu;
    const std::size_t extra = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
    const std::size_t header = 2 + extra + ((data[at + 1] & 0x80u) ? 4 : 0);
    if (at + header > size) return;
    std::uint64_t length = len7;
    if (extra > 0) {
      length = 0;
      for (std::size_t i = 0; i < extra; ++i) length = (length << 8) | data[at + 2 + i];
    }
    next_frame_ += header + length;
    frames_.push_back({next_frame_, false});
  }
}

void FrameBuffer::advance(std::size_t n) {
  sent_ += n;
  const auto at = base_ + sent_;
  while (head_ < frames_.size() && frames_[head_].end <= at) {
    if (frames_[head_].tagged) ++tagged_sent_;
    ++head_;
  }
  if (sent_ == buffer_.size()) {
    base_ += buffer_.size();
    sent_ = 0;
    // Drained: an idle watcher holds no buffer (thousands idle is the common case, issue 16:
    // keeping up to 2 KiB cost 0.6 KiB per watcher); the next message allocates again, from the
    // allocator's per-thread cache.
    std::vector<char>().swap(buffer_);
    // A frame still being appended (its end beyond the buffer) stays in the list.
    frames_.erase(frames_.begin(), frames_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
    if (frames_.empty() && frames_.capacity() > kKeepFrames) std::vector<Frame>().swap(frames_);
  } else if (sent_ > buffer_.size() / 2) {
    // Congested: drop what was sent once it is most of the buffer (amortised, not per send).
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(sent_));
    base_ += sent_;
    sent_ = 0;
    frames_.erase(frames_.begin(), frames_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
}

}  // namespace levain::common::ws
