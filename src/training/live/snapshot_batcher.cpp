#include "training/live/snapshot_batcher.hpp"

#include <boost/asio/post.hpp>

namespace levain::training {

SnapshotBatcher::SnapshotBatcher(boost::asio::any_io_executor executor, Read read)
    : executor_(std::move(executor)), read_(std::move(read)) {}

void SnapshotBatcher::load(const std::string& tenant, const std::string& job_id, Done done) {
  Key key{tenant, job_id};
  {
    std::lock_guard lock(mutex_);
    auto& p = pending_[key];
    p.waiting.push_back(std::move(done));
    if (p.reading) return;  // the read after the current one picks it up
    p.reading = true;
  }
  boost::asio::post(executor_, [this, key = std::move(key)] { read_batch(key); });
}

std::uint64_t SnapshotBatcher::reads() const {
  std::lock_guard lock(mutex_);
  return reads_;
}

void SnapshotBatcher::read_batch(const Key& key) {
  std::vector<Done> batch;
  {
    std::lock_guard lock(mutex_);
    batch.swap(pending_[key].waiting);
    ++reads_;
  }
  // Every caller in `batch` asked before this point, so the read below is after each of them.
  std::optional<JobRecord> job;
  std::exception_ptr error;
  try {
    job = read_(key.first, key.second);
  } catch (...) {
    error = std::current_exception();
  }
  for (auto& done : batch) done(job, error);
  bool again = false;
  {
    std::lock_guard lock(mutex_);
    auto it = pending_.find(key);
    if (it->second.waiting.empty()) {
      pending_.erase(it);
    } else {
      again = true;  // callers that came during the read: one more read, after them
    }
  }
  if (again) boost::asio::post(executor_, [this, key] { read_batch(key); });
}

}  // namespace levain::training
