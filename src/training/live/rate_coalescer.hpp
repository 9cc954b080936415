#pragma once
/// The update rate a watcher chooses (`?max_rate=R`, docs/live-protocol.md): successful
/// `product_completed` events are folded into at most R `progress_summary` messages a second;
/// everything else (started, the analysis, failed products, completed, failed) is a milestone,
/// sent at once and never folded. A summary still pending when a milestone comes goes out right
/// before it, so seq strictly increases and nothing waits behind a milestone.
///
/// Pure: the caller passes the clock and arms a timer for due(). A summary carries the folded
/// state (progress, products_completed, total_products, current_step, step_details, elapsed_s,
/// eta_s, in_flight, summary: each the latest event's) and `products`, the products finished
/// since the previous message, so a client that folds it ends where a full-rate watcher does.

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace levain::training {

class RateCoalescer {
 public:
  /// A message to send: an event as it is (`summary` unset) or a summary at `seq`.
  struct Out {
    std::uint64_t seq = 0;
    std::optional<boost::json::object> summary;  // progress_summary's data
  };

  /// `max_rate` in messages per second, > 0.
  explicit RateCoalescer(double max_rate);

  /// True for the events that may be folded: a product_completed whose product succeeded.
  static bool foldable(std::string_view type, const boost::json::object& data);

  /// Event `seq` arrived at `now_s`; appends what to send now to `out`, in order.
  void event(std::uint64_t seq, std::string_view type, const boost::json::object& data,
             double now_s, std::vector<Out>& out);
  /// The timer fired: appends the pending summary when it is due.
  void tick(double now_s, std::vector<Out>& out);
  /// When the pending summary may go out (for the timer); nullopt when none is pending.
  std::optional<double> due() const;

 private:
  void flush(double now_s, std::vector<Out>& out, bool paced);

  double interval_s_;
  std::optional<double> last_paced_s_;  // when the last rate-paced summary went out
  std::uint64_t pending_seq_ = 0;       // 0: nothing pending
  boost::json::object pending_;         // the folded state
  boost::json::array products_;         // finished since the previous message
};

}  // namespace levain::training
