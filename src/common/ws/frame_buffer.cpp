#include "common/ws/frame_buffer.hpp"

namespace levain::common::ws {

namespace {
// Kept after a burst so a steady trickle does not allocate the frame list per message.
constexpr std::size_t kKeepFrames = 64;
}  // namespace

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
}

void FrameBuffer::clear() {
  base_ += buffer_.size();
  sent_ = 0;
  std::vector<char>().swap(buffer_);
  frames_.clear();
  head_ = 0;
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
