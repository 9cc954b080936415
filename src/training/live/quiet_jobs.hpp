#pragma once
/// Which watched jobs to check against the store, and whether a check found the store ahead.
///
/// Why: the bus is not the job's record, the store is (an event is stored before it is
/// published). A replica killed with events still in its outbox (its publisher waiting for a
/// broker that restarted), or a broker that lost them, leaves watchers elsewhere at the last
/// event they got, and no later event ever shows them the hole: a job that ended meanwhile
/// never tells them. So a job whose watchers here heard nothing for a while is read from the
/// store; only when the store holds a seq past everything the bus brought are its watchers
/// asked to compare (and those behind read a fresh snapshot). A quiet job whose store says
/// nothing new costs one read per interval, whatever its number of watchers.
///
/// Pure: the caller passes the time and holds the lock (ConnectionManager does both).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace levain::training {

class QuietJobs {
 public:
  using Clock = std::chrono::steady_clock;

  explicit QuietJobs(Clock::duration quiet_for) : quiet_for_(quiet_for) {}

  /// The job has a first watcher here: it is quiet from now.
  void watched(const std::string& job, Clock::time_point now);
  /// One of its events came off the bus.
  void heard(const std::string& job, std::uint64_t seq, Clock::time_point now);
  /// A watcher of it read its snapshot at `seq` (the quiet interval goes on).
  void read(const std::string& job, std::uint64_t seq);
  /// Its last watcher here left.
  void forget(const std::string& job);

  /// Up to `max` jobs quiet for the interval, oldest first; each is quiet again from now (one
  /// check per interval, the answer or not).
  std::vector<std::string> due(Clock::time_point now, std::size_t max);
  /// The store holds `job` at `seq`: true when that is past what the bus brought, what its
  /// watchers read and what an earlier check reported (watchers are asked once per seq gained).
  bool stored_at(const std::string& job, std::uint64_t seq);

 private:
  struct Job {
    Clock::time_point since;  // the last event, watch or check
    std::uint64_t known = 0;  // the highest seq heard, read by a watcher or found by a check
  };
  Clock::duration quiet_for_;
  std::unordered_map<std::string, Job> jobs_;
};

}  // namespace levain::training
