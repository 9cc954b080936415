#pragma once
/// One client's account of the live contract: after its `connected` snapshot (seq S) it must
/// receive exactly S+1, S+2, … up to the job's final event. Kept online in constant memory, so
/// loss is counted per client without storing every seq; pure, so the rules are unit-tested.

#include <cstdint>
#include <optional>

namespace levain::loadgen {

struct Tally {
  std::uint64_t expected = 0;    // final − snapshot seq (0 for a client that never joined)
  std::uint64_t received = 0;    // distinct events in (snapshot, final], in order
  std::uint64_t lost = 0;        // expected − received
  std::uint64_t duplicates = 0;  // seq at or below one already seen (never counted as received)
  std::uint64_t gaps = 0;        // times the next seq skipped ahead
};

class ClientLedger {
 public:
  enum class Apply {
    joined,           // the snapshot: counting starts after its seq
    event,            // the next seq, in order
    gap,              // accepted, but seqs before it were skipped (they count as lost)
    duplicate,        // at or below the last seq: ignored
    before_snapshot,  // an event before `connected`: a protocol error, ignored
    second_snapshot,  // another `connected` on the same connection: a protocol error, ignored
  };

  Apply on_snapshot(std::uint64_t seq);
  /// `terminal`: completed or failed, the job's last event.
  Apply on_event(std::uint64_t seq, bool terminal);

  bool joined() const { return joined_; }
  std::uint64_t snapshot_seq() const { return snapshot_seq_; }
  std::uint64_t last_seq() const { return last_seq_; }
  std::optional<std::uint64_t> terminal_seq() const { return terminal_seq_; }
  std::uint64_t protocol_errors() const { return protocol_errors_; }

  /// The account once the job's final seq is known (its last event, or the last one it had
  /// published when the run stopped). A client that saw a higher seq than `final_seq` is
  /// accounted up to its own last seq, so `lost` is never negative.
  Tally tally(std::uint64_t final_seq) const;

 private:
  bool joined_ = false;
  std::uint64_t snapshot_seq_ = 0;
  std::uint64_t last_seq_ = 0;
  std::uint64_t received_ = 0;
  std::uint64_t skipped_ = 0;  // seqs jumped over inside (snapshot, last]
  std::uint64_t duplicates_ = 0;
  std::uint64_t gaps_ = 0;
  std::uint64_t protocol_errors_ = 0;
  std::optional<std::uint64_t> terminal_seq_;
};

}  // namespace levain::loadgen
