#pragma once
/// One store read serves every watcher that joined a job while the previous read was under way.
///
/// Why: each join reads the job's snapshot. When a chain's screens connect at once (or a gateway
/// reconnects thousands after a restart), that is one query per watcher for the same row: about
/// 1,200 joins/s against PostgreSQL, and upgrades waiting behind them past their timeouts.
///
/// Why not share a read already in flight: a session must read its snapshot after it registered
/// for events, or an event published between the two would be neither in the snapshot nor
/// delivered. So a request joins the *next* read of its job, which starts after every request in
/// its batch was made: at most one read per job runs, and one more waits, whatever the number of
/// joins.

#include <boost/asio/any_io_executor.hpp>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "training/jobs/job.hpp"

namespace levain::training {

class SnapshotBatcher {
 public:
  using Done = std::function<void(std::optional<JobRecord>, std::exception_ptr)>;
  /// The store read; runs on `executor`, may throw (every caller of the batch gets the error).
  using Read =
      std::function<std::optional<JobRecord>(const std::string& tenant, const std::string& job)>;

  SnapshotBatcher(boost::asio::any_io_executor executor, Read read);

  /// Calls `done` on the executor with the job as read after this call, or nullopt when the
  /// tenant has no such job.
  void load(const std::string& tenant, const std::string& job_id, Done done);

  /// Store reads made so far (a batch is one read, however many callers it served).
  std::uint64_t reads() const;

 private:
  using Key = std::pair<std::string, std::string>;  // tenant, job
  struct Pending {
    std::vector<Done> waiting;  // the next read's callers
    bool reading = false;       // a read of this job is posted or under way
  };

  void read_batch(const Key& key);

  boost::asio::any_io_executor executor_;
  Read read_;
  mutable std::mutex mutex_;
  std::map<Key, Pending> pending_;  // only jobs with a read posted or under way
  std::uint64_t reads_ = 0;
};

}  // namespace levain::training
