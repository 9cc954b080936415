#include "training/live/snapshot_batcher.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <future>
#include <stdexcept>

using namespace levain::training;

namespace {

/// Collects what one load() call was given.
struct Outcome {
  std::promise<std::optional<JobRecord>> result;
  std::future<std::optional<JobRecord>> future = result.get_future();
  SnapshotBatcher::Done done() {
    return [this](std::optional<JobRecord> job, std::exception_ptr error) {
      if (error) {
        result.set_exception(error);
      } else {
        result.set_value(std::move(job));
      }
    };
  }
};

JobRecord record(const std::string& job, std::uint64_t seq) {
  JobRecord r;
  r.job_id = job;
  r.seq = seq;
  return r;
}

}  // namespace

TEST(SnapshotBatcher, CallersDuringAReadShareTheNextReadNotTheCurrentOne) {
  boost::asio::thread_pool pool(2);
  std::promise<void> first_started;
  std::promise<void> release_first;
  auto released = release_first.get_future().share();
  std::atomic<int> calls{0};
  // Each read returns its own number as seq: which read served a caller is visible.
  SnapshotBatcher batcher(pool.get_executor(), [&](const std::string&, const std::string& job) {
    const int n = ++calls;
    if (n == 1) {
      first_started.set_value();
      released.wait();
    }
    return std::optional<JobRecord>(record(job, static_cast<std::uint64_t>(n)));
  });

  Outcome early;
  batcher.load("t", "j", early.done());
  first_started.get_future().wait();
  // These asked after the first read began: it may predate their registration for events, so
  // they must get a read of their own, and one is enough for all of them.
  std::vector<Outcome> late(50);
  for (auto& o : late) batcher.load("t", "j", o.done());
  release_first.set_value();

  EXPECT_EQ(early.future.get()->seq, 1u);
  for (auto& o : late) EXPECT_EQ(o.future.get()->seq, 2u);
  pool.join();
  EXPECT_EQ(batcher.reads(), 2u);
  EXPECT_EQ(calls.load(), 2);
}

TEST(SnapshotBatcher, DifferentJobsAreReadSeparately) {
  boost::asio::thread_pool pool(1);
  SnapshotBatcher batcher(pool.get_executor(),
                          [](const std::string& tenant, const std::string& job) {
                            return std::optional<JobRecord>(record(tenant + "/" + job, 1));
                          });
  Outcome a, b, c;
  batcher.load("t1", "j", a.done());
  batcher.load("t2", "j", b.done());
  batcher.load("t1", "k", c.done());
  EXPECT_EQ(a.future.get()->job_id, "t1/j");
  EXPECT_EQ(b.future.get()->job_id, "t2/j");
  EXPECT_EQ(c.future.get()->job_id, "t1/k");
  pool.join();
  EXPECT_EQ(batcher.reads(), 3u);
}

TEST(SnapshotBatcher, NoSuchJobAndStoreErrorsReachEveryCaller) {
  boost::asio::thread_pool pool(1);
  SnapshotBatcher batcher(
      pool.get_executor(),
      [](const std::string&, const std::string& job) -> std::optional<JobRecord> {
        if (job == "broken") throw std::runtime_error("store down");
        return std::nullopt;
      });
  Outcome missing, broken;
  batcher.load("t", "missing", missing.done());
  batcher.load("t", "broken", broken.done());
  EXPECT_FALSE(missing.future.get().has_value());
  EXPECT_THROW(broken.future.get(), std::runtime_error);
  // A later load reads again: nothing is cached past its batch.
  Outcome again;
  batcher.load("t", "missing", again.done());
  EXPECT_FALSE(again.future.get().has_value());
  pool.join();
  EXPECT_EQ(batcher.reads(), 3u);
}
