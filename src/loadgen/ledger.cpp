#include "loadgen/ledger.hpp"

#include <algorithm>

namespace levain::loadgen {

ClientLedger::Apply ClientLedger::on_snapshot(std::uint64_t seq) {
  if (joined_) {
    ++protocol_errors_;
    return Apply::second_snapshot;
  }
  joined_ = true;
  snapshot_seq_ = seq;
  last_seq_ = seq;
  return Apply::joined;
}

ClientLedger::Apply ClientLedger::on_event(std::uint64_t seq, bool terminal) {
  if (!joined_) {
    ++protocol_errors_;
    return Apply::before_snapshot;
  }
  if (seq <= last_seq_) {
    ++duplicates_;
    return Apply::duplicate;
  }
  const std::uint64_t skipped = seq - last_seq_ - 1;
  last_seq_ = seq;
  ++received_;
  if (terminal) terminal_seq_ = seq;
  if (skipped == 0) return Apply::event;
  skipped_ += skipped;
  ++gaps_;
  return Apply::gap;
}

Tally ClientLedger::tally(std::uint64_t final_seq) const {
  Tally t;
  if (!joined_) return t;
  const std::uint64_t end = std::max(final_seq, last_seq_);
  t.expected = end - snapshot_seq_;
  t.received = received_;
  // Missing: the seqs skipped inside the stream plus everything after the last one seen.
  t.lost = skipped_ + (end - last_seq_);
  t.duplicates = duplicates_;
  t.gaps = gaps_;
  return t;
}

}  // namespace levain::loadgen
