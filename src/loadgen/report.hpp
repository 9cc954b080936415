#pragma once
/// The result of a bench run: per-client accounts summed, latency percentiles over every event
/// of every client, rates, close codes, failures and the measured processes' memory; as the one
/// JSON object `levain bench --json` prints, or as a short summary for a person.

#include <boost/json/object.hpp>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "loadgen/percentiles.hpp"
#include "loadgen/proc_stats.hpp"
#include "loadgen/watchers.hpp"

namespace levain::loadgen {

struct ProcessSample {
  int pid = 0;
  std::optional<ProcMemory> before;  // before the first connect
  std::optional<ProcMemory> joined;  // once every client joined (or failed)
  std::optional<ProcMemory> after;   // after every connection ended
};

/// What the run learnt besides the clients' records.
struct RunFacts {
  std::string job_id;
  std::string job_status;       // from the REST read after the run; "" if it failed
  std::uint64_t final_seq = 0;  // the job's last event: what every client should have reached
  std::vector<ProcessSample> processes;
  std::optional<ProcMemory> self;  // the load generator's own memory
  std::uint64_t fd_limit = 0;
};

struct Report {
  std::size_t clients = 0, joined = 0, connect_failed = 0;
  std::uint64_t expected = 0, received = 0, lost = 0, duplicates = 0, gaps = 0;
  std::size_t clients_with_loss = 0, joined_before_first_event = 0;
  std::uint64_t protocol_errors = 0, not_recorded = 0;
  std::uint64_t bytes_received = 0;  // payloads of every recorded message
  std::uint32_t largest_message = 0;
  LatencySummary latency;
  std::vector<std::int64_t> latencies_us;  // every sample, ascending
  /// Wall clock (µs since the epoch) of the first event's publication and of the last receipt:
  /// the window msgs_per_s divides by, for merging the reports of several load generators.
  std::int64_t first_publish_unix_us = 0, last_receive_unix_us = 0;
  double msgs_per_s = 0, connect_rate_per_s = 0, join_rate_per_s = 0;
  double connect_s = 0, join_s = 0, duration_s = 0;
  bool timed_out = false;
  std::map<int, std::size_t> close_codes;       // -1: no close frame
  std::map<std::string, std::size_t> failures;  // why clients never joined
  RunFacts facts;

  /// The run met the contract: everyone joined, nothing lost or duplicated, no timeout.
  bool ok() const {
    return connect_failed == 0 && lost == 0 && duplicates == 0 && protocol_errors == 0 &&
           !timed_out;
  }
};

/// Most distinct failure reasons kept; the rest are counted under "other".
inline constexpr std::size_t kMaxFailureReasons = 8;

Report build_report(const WatchersResult& run, RunFacts facts);

boost::json::object to_json(const Report& report);

void print_summary(const Report& report, std::ostream& out);

}  // namespace levain::loadgen
