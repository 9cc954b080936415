#pragma once
/// The publisher's bounded queue of messages not yet confirmed by the broker. It holds what
/// waits to be sent and what was sent but not confirmed (resent after a reconnect, so a message
/// is lost only by the drop policy, never by a connection that broke mid-flight). When full it
/// drops the oldest *droppable* (progress) message still waiting; terminal events are never
/// dropped, which is the one way past the limit (at most one per job that ends in an outage).
/// Not thread-safe: the owner locks.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

namespace levain::bus {

struct OutboxEntry {
  std::string routing_key;
  std::shared_ptr<const std::string> body;
  bool droppable = true;
};

class Outbox {
 public:
  /// `limit` >= 1: entries kept before the drop policy applies.
  explicit Outbox(std::size_t limit);

  /// Appends in publish order. Returns how many messages were dropped to keep the bound: 0, or
  /// 1 (the oldest droppable waiting entry, or `entry` itself when nothing older may go).
  std::size_t push(OutboxEntry entry);

  /// The oldest entry not yet sent, or nullptr. Entries are sent strictly in order.
  const OutboxEntry* next_unsent() const;
  /// Records that next_unsent() went out with this delivery tag (tags increase per channel).
  void mark_sent(std::uint64_t delivery_tag);
  /// The broker confirmed `delivery_tag` (and every earlier one when `multiple`). Returns how
  /// many entries that released.
  std::size_t confirm(std::uint64_t delivery_tag, bool multiple);
  /// The connection is gone: what was sent and not confirmed waits to be sent again, first.
  void rewind();

  std::size_t size() const { return entries_.size(); }
  std::size_t in_flight() const { return sent_; }
  bool empty() const { return entries_.empty(); }
  std::size_t limit() const { return limit_; }

 private:
  struct Slot {
    OutboxEntry entry;
    std::uint64_t tag = 0;  // 0 while waiting to be sent
    bool confirmed = false;
  };
  void release_confirmed_prefix();

  std::size_t limit_;
  std::deque<Slot> entries_;  // sent (a prefix of sent_ entries) then waiting, in publish order
  std::size_t sent_ = 0;
};

}  // namespace levain::bus
