// JobRunner across replicas sharing one store (SQLite and PostgreSQL): start-up never fails a
// job a live replica holds, expired leases are taken over (running: failed and announced;
// waiting: run here), the heartbeat renews leases and carries cancels made on other replicas.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <chrono>
#include <mutex>
#include <thread>

#include "bus/in_process_bus.hpp"
#include "common/ids.hpp"
#include "common/metrics.hpp"
#include "store/store_backends.hpp"
#include "training/runner/runner.hpp"

namespace levain::training {
namespace {

using namespace std::chrono_literals;
constexpr std::int64_t kHour = 3'600'000'000;

// Every event of the bus, for assertions on what watchers would be told.
class Recorder {
 public:
  explicit Recorder(bus::EventBus& bus) {
    bus.subscribe("training.#", [this](const bus::Message& m) {
      std::lock_guard lock(mu_);
      events_.push_back(boost::json::parse(*m.body).as_object());
    });
  }
  std::vector<boost::json::object> events() {
    std::lock_guard lock(mu_);
    return events_;
  }

 private:
  std::mutex mu_;
  std::vector<boost::json::object> events_;
};

class RunnerReplicas : public testing::StoreTest {
 protected:
  JobRunner& replica(std::string id) {
    RunnerConfig config;
    config.train_threads = 1;
    config.max_concurrent_jobs = 1;
    config.replica_id = std::move(id);
    config.lease = 60s;  // heartbeats are driven by hand here
    runners_.push_back(std::make_unique<JobRunner>(store_, bus_, metrics_, config));
    return *runners_.back();
  }

  // A job row as another replica left it: `owner` holds it until `until_us`.
  void stored_job(const std::string& id, JobStatus status, const std::string& owner,
                  std::int64_t until_us) {
    JobRecord j;
    j.job_id = id;
    j.tenant_id = "t";
    j.status = status;
    j.seq = status == JobStatus::running ? 3 : 0;
    j.created_at_us = common::now_micros();
    store_.create_job(j);
    ASSERT_TRUE(store_.claim_job(id, owner, until_us));
  }

  JobStatus status_of(const std::string& id) { return store_.get_job("t", id)->status; }

  // Polls the store: a job run by the pool ends on its own thread.
  bool ends(const std::string& id) {
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (is_terminal(status_of(id))) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }

  bus::InProcessBus bus_;
  Recorder recorder_{bus_};
  common::MetricsRegistry metrics_;
  std::vector<std::unique_ptr<JobRunner>> runners_;  // destroyed before the store
};

TEST_P(RunnerReplicas, StartingDoesNotTouchJobsOfALiveReplica) {
  stored_job("busy", JobStatus::running, "replica-a", common::now_micros() + kHour);
  stored_job("queued", JobStatus::pending, "replica-a", common::now_micros() + kHour);
  replica("replica-b").recover();
  EXPECT_EQ(status_of("busy"), JobStatus::running);
  EXPECT_EQ(status_of("queued"), JobStatus::pending);
  EXPECT_TRUE(recorder_.events().empty());
}

TEST_P(RunnerReplicas, StartingFailsRunningJobsOfADeadReplicaAndAnnouncesIt) {
  stored_job("orphan", JobStatus::running, "replica-dead", common::now_micros() - 1);
  replica("replica-b").recover();
  const auto job = store_.get_job("t", "orphan");
  EXPECT_EQ(job->status, JobStatus::failed);
  EXPECT_EQ(job->error, "interrupted: replica lost");
  EXPECT_EQ(job->seq, 4u);
  const auto events = recorder_.events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].at("type").as_string(), "failed");
  EXPECT_EQ(events[0].at("seq").to_number<std::uint64_t>(), 4u);
  EXPECT_FALSE(store_.claim_job("orphan", "replica-c", common::now_micros() + kHour));
}

TEST_P(RunnerReplicas, AWaitingJobOfADeadReplicaRunsHere) {
  stored_job("waiting", JobStatus::pending, "replica-dead", common::now_micros() - 1);
  replica("replica-b").recover();
  ASSERT_TRUE(ends("waiting"));
  // No sales data for the tenant: the job ran here and ended for that reason.
  const auto job = store_.get_job("t", "waiting");
  EXPECT_EQ(job->status, JobStatus::failed);
  EXPECT_NE(job->error.find("no sales data"), std::string::npos) << job->error;
}

TEST_P(RunnerReplicas, AfterARestartTheSameReplicaIdFailsItsOwnRunningJobsAtOnce) {
  stored_job("mine", JobStatus::running, "embedded", common::now_micros() + kHour);
  replica("embedded").recover();
  const auto job = store_.get_job("t", "mine");
  EXPECT_EQ(job->status, JobStatus::failed);
  EXPECT_EQ(job->error, "interrupted by restart");
}

TEST_P(RunnerReplicas, HeartbeatSweepsLeasesThatExpiredLater) {
  auto& b = replica("replica-b");
  b.recover();
  stored_job("late", JobStatus::running, "replica-a", common::now_micros() - 1);
  b.heartbeat();
  EXPECT_EQ(status_of("late"), JobStatus::failed);
  EXPECT_EQ(store_.get_job("t", "late")->error, "interrupted: replica lost");
}

TEST_P(RunnerReplicas, CancelOfAJobHeldElsewhereReachesItsOwnerThroughTheHeartbeat) {
  auto& a = replica("replica-a");
  auto& b = replica("replica-b");
  a.recover();
  b.recover();
  // A replica that stopped starting jobs keeps what it is given waiting: a job that stays
  // pending on A for as long as the test needs.
  a.shutdown("test: hold jobs");
  const auto job = a.submit("t", {"Baguette"}, 7);
  EXPECT_EQ(b.cancel("t", job.job_id), CancelOutcome::accepted);
  EXPECT_EQ(status_of(job.job_id), JobStatus::pending);  // only flagged so far
  EXPECT_TRUE(store_.cancel_requested(job.job_id));
  a.heartbeat();
  const auto stored = store_.get_job("t", job.job_id);
  EXPECT_EQ(stored->status, JobStatus::cancelled);
  const auto events = recorder_.events();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().at("type").as_string(), "failed");
  EXPECT_EQ(b.cancel("t", job.job_id), CancelOutcome::already_finished);
  EXPECT_EQ(b.cancel("t", "no-such-job"), CancelOutcome::not_found);
  EXPECT_EQ(b.cancel("other-tenant", job.job_id), CancelOutcome::not_found);
}

TEST_P(RunnerReplicas, HeartbeatRenewsTheLeasesOfItsJobs) {
  auto& a = replica("replica-a");
  a.recover();
  a.shutdown("test: hold jobs");
  const auto job = a.submit("t", {"Baguette"}, 7);
  ASSERT_FALSE(store_.claim_job(job.job_id, "replica-b", common::now_micros() + kHour));
  // Let A's lease lapse (A may re-claim what it holds), then beat once.
  ASSERT_TRUE(store_.claim_job(job.job_id, "replica-a", common::now_micros() - 1));
  a.heartbeat();
  EXPECT_TRUE(store_.expired_jobs(common::now_micros()).empty());
  EXPECT_FALSE(store_.claim_job(job.job_id, "replica-b", common::now_micros() + kHour));
}

TEST_P(RunnerReplicas, ShutdownReleasesWaitingJobsForOtherReplicas) {
  auto& a = replica("replica-a");
  a.recover();
  a.shutdown("test: hold jobs");
  const auto job = a.submit("t", {}, 7);  // all products: none, so it fails fast
  ASSERT_TRUE(store_.expired_jobs(common::now_micros()).empty());
  a.shutdown("test: stop");  // what waits now is released
  ASSERT_EQ(store_.expired_jobs(common::now_micros()).size(), 1u);
  replica("replica-b").recover();
  ASSERT_TRUE(ends(job.job_id));
  EXPECT_NE(store_.get_job("t", job.job_id)->error.find("no sales data"), std::string::npos);
}

LEVAIN_STORE_BACKENDS(RunnerReplicas);

}  // namespace
}  // namespace levain::training
