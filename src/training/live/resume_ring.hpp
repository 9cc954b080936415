#pragma once
/// The last events of each job, so that a watcher that dropped for a moment gets the few it
/// missed instead of the whole snapshot (docs/live-protocol.md, "Resume"). Pure: no lock, no
/// clock of its own (the fan-out holds it under its lock and passes the time in).
///
/// Each job's ring is contiguous in seq: a redelivery is not stored twice, and a hole (the bus
/// dropped an event) empties the ring, as no resume from before it could be served without the
/// gap. A ring is bounded in events and in payload bytes (the payloads are shared with the
/// sessions, so this is memory they would hold anyway while sending), freed `grace` after its
/// job's last event, and the number of rings is bounded too: past it the least recently fed goes.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "training/live/outbound_event.hpp"

namespace levain::training {

struct ResumeLimits {
  std::size_t events = 1000;       // per job; 0 turns resume off
  std::size_t bytes = 256 * 1024;  // per job, payload bytes
  std::chrono::seconds grace{60};  // kept this long after the job's last event
  std::size_t jobs = 10000;        // rings held at once
};

class ResumeRings {
 public:
  using Clock = std::chrono::steady_clock;

  explicit ResumeRings(ResumeLimits limits) : limits_(limits) {}

  void add(const std::string& job_id, const EventPtr& event, Clock::time_point now);
  /// The events after `since`, when this ring holds every one of them (an empty list when
  /// `since` is the last); nullopt when it cannot serve it (not held, already dropped, or a seq
  /// this replica never saw, or the last event of a job that is over). Since 0 is never served:
  /// a watcher with nothing needs the snapshot.
  std::optional<std::vector<EventPtr>> after(const std::string& job_id, std::uint64_t since,
                                             Clock::time_point now);

  std::size_t jobs() const { return rings_.size(); }
  std::size_t bytes() const { return total_bytes_; }

 private:
  struct Ring {
    std::deque<EventPtr> events;
    std::size_t bytes = 0;
    Clock::time_point fed;
    bool ended = false;
  };

  void expire(Clock::time_point now);
  void drop(std::unordered_map<std::string, Ring>::iterator it);
  void make_room();

  ResumeLimits limits_;
  std::unordered_map<std::string, Ring> rings_;
  std::deque<std::pair<Clock::time_point, std::string>> ended_;  // in the order jobs ended
  std::size_t total_bytes_ = 0;
};

}  // namespace levain::training
