#pragma once
/// What a watcher knows about one training job, folded from the live WebSocket messages: the
/// "connected" snapshot resets it, then events apply strictly in seq order. Pure (no I/O), so the
/// rules that make a watcher correct across reconnects are unit-tested on their own.

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace levain::cli {

class LiveState {
 public:
  enum class Apply {
    applied,           // the state changed (or at least advanced its seq)
    duplicate_or_old,  // seq already folded in (e.g. a replay after a stale snapshot): ignored
    gap,               // seq > last + 1: events were missed; reconnect for a fresh snapshot
    ignored,           // a message without a seq that carries no state ("pong", unknown types)
    malformed,         // not a message of the contract; problem() says why; state unchanged
  };

  Apply apply(const boost::json::object& message);

  const std::string& job_id() const { return job_id_; }
  /// "unknown" before the first snapshot, then pending|running|completed|failed|cancelled.
  const std::string& status() const { return status_; }
  int progress() const { return progress_; }  // 0..100, never decreases
  std::int64_t seq() const { return seq_; }
  bool has_snapshot() const { return has_snapshot_; }
  int total_products() const { return total_products_; }
  int products_completed() const { return products_completed_; }
  const std::string& current_step() const { return current_step_; }
  const std::string& last_product() const { return last_product_; }
  /// "succeeded" or "failed" for last_product().
  const std::string& last_product_status() const { return last_product_status_; }
  /// The server's reason when the job failed or was cancelled ("" otherwise).
  const std::string& error() const { return error_; }
  bool terminal() const;
  /// Seconds to the end as the server last estimated (nullopt: not known yet).
  std::optional<double> eta_s() const { return eta_s_; }
  double elapsed_s() const { return elapsed_s_; }
  const std::vector<std::string>& in_flight() const { return in_flight_; }
  /// The running median MASE over the products done (nullopt: none scored yet).
  std::optional<double> median_mase() const { return median_mase_; }
  /// Live watchers of the job on every replica (0 before the server said).
  std::size_t watchers() const { return watchers_; }
  /// The Data Analysis report (empty before the analysis).
  const boost::json::object& report() const { return report_; }
  /// The running accuracy summary (docs/live-protocol.md): empty before the first product.
  const boost::json::object& summary() const { return summary_; }
  /// Why the last `malformed` result was given.
  const std::string& problem() const { return problem_; }

 private:
  Apply reset_from_snapshot(const boost::json::object& message);
  Apply apply_event(const std::string& type, std::int64_t seq, const boost::json::object& data);
  void fold_common(const boost::json::object& fields);
  void fold_watchers(const boost::json::object& data);
  Apply malformed(std::string why);

  std::string job_id_;
  std::string status_ = "unknown";
  int progress_ = 0;
  std::int64_t seq_ = 0;
  bool has_snapshot_ = false;
  int total_products_ = 0;
  int products_completed_ = 0;
  std::string current_step_;
  std::string last_product_;
  std::string last_product_status_;
  std::string error_;
  std::string problem_;
  std::optional<double> eta_s_;
  double elapsed_s_ = 0;
  std::vector<std::string> in_flight_;
  std::optional<double> median_mase_;
  std::size_t watchers_ = 0;
  boost::json::object report_;
  boost::json::object summary_;
};

}  // namespace levain::cli
