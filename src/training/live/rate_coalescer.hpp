#pragma once
/// The update rate a watcher chooses (`?max_rate=R`, docs/live-protocol.md): successful
/// `product_completed` events are folded into at most R `progress_summary` messages a second;
/// everything else (started, the analysis, failed products, completed, failed) is a milestone,
/// sent at once and never folded. A summary still pending when a milestone comes goes out right
/// before it, so seq strictly increases and nothing waits behind a milestone.
///
/// Pure: the caller passes the clock and arms a timer for due(). It holds the folded events as
/// `Item`s (the session: the shared event buffers every watcher already gets, 16 bytes each, not
/// copies of their JSON), and summary_data() builds a summary's `data` from them when it goes out:
/// the latest event's state (progress, products_completed, total_products, current_step,
/// step_details, elapsed_s, eta_s, in_flight, summary) and `products`, the products finished since
/// the previous message, so a client that folds it ends where a full-rate watcher does.

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace levain::training {

/// True for the events that may be folded: a product_completed whose product succeeded.
bool foldable(std::string_view type, const boost::json::object& data);

/// A progress_summary's `data` from the `data` of the events it folds, oldest first (not empty).
boost::json::object summary_data(const std::vector<const boost::json::object*>& folded);

template <class Item>
class RateCoalescer {
 public:
  /// A message to send: the milestone `items[0]` as it is, or a summary of `items` at `seq`.
  struct Out {
    std::uint64_t seq = 0;
    bool summary = false;
    std::vector<Item> items;
  };

  /// `max_rate` in messages per second, > 0.
  explicit RateCoalescer(double max_rate) : interval_s_(1.0 / max_rate) {}

  /// Event `seq` (foldable or not) arrived at `now_s`; appends what to send now to `out`.
  void event(std::uint64_t seq, bool can_fold, Item item, double now_s, std::vector<Out>& out) {
    if (!can_fold) {
      if (!pending_.empty()) flush(now_s, out, false);
      out.push_back({seq, false, {std::move(item)}});
      return;
    }
    pending_.push_back(std::move(item));
    pending_seq_ = seq;
    tick(now_s, out);
  }

  /// The timer fired: appends the pending summary when it is due.
  void tick(double now_s, std::vector<Out>& out) {
    if (pending_.empty()) return;
    if (last_paced_s_ && now_s < *last_paced_s_ + interval_s_) return;
    flush(now_s, out, true);
  }

  /// When the pending summary may go out (for the timer); nullopt when none is pending.
  std::optional<double> due() const {
    if (pending_.empty()) return std::nullopt;
    return last_paced_s_ ? *last_paced_s_ + interval_s_ : 0.0;
  }

 private:
  void flush(double now_s, std::vector<Out>& out, bool paced) {
    out.push_back({pending_seq_, true, std::exchange(pending_, {})});
    if (paced) last_paced_s_ = now_s;
  }

  double interval_s_;
  std::optional<double> last_paced_s_;  // when the last rate-paced summary went out
  std::uint64_t pending_seq_ = 0;
  std::vector<Item> pending_;  // folded since the previous message, oldest first
};

}  // namespace levain::training
