#include "bus/outbox.hpp"

#include <algorithm>
#include <stdexcept>

namespace levain::bus {

Outbox::Outbox(std::size_t limit) : limit_(limit) {
  if (limit_ == 0) throw std::invalid_argument("outbox limit must be at least 1");
}

std::size_t Outbox::push(OutboxEntry entry) {
  if (entries_.size() < limit_) {
    entries_.push_back({std::move(entry)});
    return 0;
  }
  const auto first_waiting = entries_.begin() + static_cast<std::ptrdiff_t>(sent_);
  const auto victim =
      std::find_if(first_waiting, entries_.end(), [](const Slot& s) { return s.entry.droppable; });
  if (victim != entries_.end()) {
    entries_.erase(victim);
    entries_.push_back({std::move(entry)});
    return 1;
  }
  if (entry.droppable) return 1;  // only terminal events wait: the new progress event goes
  entries_.push_back({std::move(entry)});
  return 0;
}

const OutboxEntry* Outbox::next_unsent() const {
  return sent_ < entries_.size() ? &entries_[sent_].entry : nullptr;
}

void Outbox::mark_sent(std::uint64_t delivery_tag) {
  if (sent_ >= entries_.size()) throw std::logic_error("Outbox::mark_sent with nothing to send");
  entries_[sent_].tag = delivery_tag;
  ++sent_;
}

std::size_t Outbox::confirm(std::uint64_t delivery_tag, bool multiple) {
  const std::size_t before = entries_.size();
  for (std::size_t i = 0; i < sent_; ++i) {
    auto& s = entries_[i];
    if (s.tag > delivery_tag) break;  // tags increase along the sent prefix
    if (multiple || s.tag == delivery_tag) s.confirmed = true;
  }
  release_confirmed_prefix();
  return before - entries_.size();
}

void Outbox::release_confirmed_prefix() {
  while (sent_ > 0 && entries_.front().confirmed) {
    entries_.pop_front();
    --sent_;
  }
}

void Outbox::rewind() {
  // Confirmed ones behind an unconfirmed hole are done; the rest go again, in order.
  const auto sent_end = entries_.begin() + static_cast<std::ptrdiff_t>(sent_);
  entries_.erase(
      std::remove_if(entries_.begin(), sent_end, [](const Slot& s) { return s.confirmed; }),
      sent_end);
  for (auto& s : entries_) s.tag = 0;
  sent_ = 0;
}

}  // namespace levain::bus
