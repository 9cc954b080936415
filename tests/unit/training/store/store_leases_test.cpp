// Store job ownership across replicas (both backends): cancel requests, leases, claims, and
// the rule that a finished job is final.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "store/store_backends.hpp"

namespace levain::training {
namespace {

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

constexpr std::int64_t kHour = 3'600'000'000;

ProductResult succeeded(const std::string& product) {
  ProductResult r;
  r.product = product;
  r.status = "succeeded";
  return r;
}

JobRecord job(const std::string& tenant, const std::string& id, JobStatus status,
              std::int64_t created) {
  JobRecord j;
  j.job_id = id;
  j.tenant_id = tenant;
  j.status = status;
  j.created_at_us = created;
  return j;
}

std::vector<std::string> ids(const std::vector<JobRecord>& jobs) {
  std::vector<std::string> out;
  for (const auto& j : jobs) out.push_back(j.job_id);
  return out;
}

class StoreLeases : public testing::StoreTest {};

TEST_P(StoreLeases, CancelRequestIsPersistentAndOnlyForLiveJobsOfTheTenant) {
  store_.create_job(job("t", "pend", JobStatus::pending, 1));
  store_.create_job(job("t", "run", JobStatus::running, 2));
  store_.create_job(job("t", "done", JobStatus::completed, 3));
  EXPECT_FALSE(store_.cancel_requested("pend"));
  EXPECT_TRUE(store_.request_cancel("t", "pend"));
  EXPECT_TRUE(store_.request_cancel("t", "run"));
  EXPECT_TRUE(store_.request_cancel("t", "run"));  // asking twice is harmless
  EXPECT_FALSE(store_.request_cancel("t", "done"));
  EXPECT_FALSE(store_.request_cancel("other", "pend"));
  EXPECT_FALSE(store_.request_cancel("t", "nope"));
  EXPECT_TRUE(store_.cancel_requested("pend"));
  EXPECT_TRUE(store_.cancel_requested("run"));
  EXPECT_FALSE(store_.cancel_requested("done"));
  EXPECT_FALSE(store_.cancel_requested("nope"));
  owned_.reset();
  EXPECT_TRUE(db_.open()->cancel_requested("run"));
}

TEST_P(StoreLeases, SaveJobKeepsTheCancelFlagAndLease) {
  auto j = job("t", "j", JobStatus::pending, 1);
  store_.create_job(j);
  ASSERT_TRUE(store_.claim_job("j", "A", now_us() + kHour));
  ASSERT_TRUE(store_.request_cancel("t", "j"));
  j.status = JobStatus::running;
  j.seq = 1;
  store_.save_job(j);
  EXPECT_TRUE(store_.cancel_requested("j"));
  EXPECT_FALSE(store_.claim_job("j", "B", now_us() + kHour));
}

TEST_P(StoreLeases, NewJobsAreFreeToClaimAndAHeldOneIsNot) {
  store_.create_job(job("t", "j", JobStatus::pending, 1));
  EXPECT_EQ(ids(store_.expired_jobs(now_us())), std::vector<std::string>{"j"});
  EXPECT_TRUE(store_.claim_job("j", "A", now_us() + kHour));
  EXPECT_TRUE(store_.expired_jobs(now_us()).empty());
  EXPECT_FALSE(store_.claim_job("j", "B", now_us() + kHour));
  EXPECT_TRUE(store_.claim_job("j", "A", now_us() + 2 * kHour));  // the holder may re-claim
  EXPECT_FALSE(store_.claim_job("nope", "A", now_us() + kHour));
}

TEST_P(StoreLeases, AnExpiredLeaseCanBeTakenOver) {
  store_.create_job(job("t", "j", JobStatus::running, 1));
  ASSERT_TRUE(store_.claim_job("j", "A", now_us() - 1));  // a lease already in the past
  EXPECT_EQ(ids(store_.expired_jobs(now_us())), std::vector<std::string>{"j"});
  EXPECT_TRUE(store_.claim_job("j", "B", now_us() + kHour));
  EXPECT_FALSE(store_.claim_job("j", "A", now_us() + kHour));
  EXPECT_TRUE(store_.expired_jobs(now_us()).empty());
}

TEST_P(StoreLeases, FinishedJobsCannotBeClaimedOrExpire) {
  store_.create_job(job("t", "done", JobStatus::completed, 1));
  store_.create_job(job("t", "gone", JobStatus::cancelled, 2));
  EXPECT_FALSE(store_.claim_job("done", "A", now_us() + kHour));
  EXPECT_TRUE(store_.expired_jobs(now_us()).empty());
}

TEST_P(StoreLeases, RenewExtendsOnlyTheOwnersLeases) {
  const auto t0 = now_us();
  for (const char* id : {"a1", "a2", "b1"}) store_.create_job(job("t", id, JobStatus::running, 1));
  ASSERT_TRUE(store_.claim_job("a1", "A", t0 + 10));
  ASSERT_TRUE(store_.claim_job("a2", "A", t0 + 10));
  ASSERT_TRUE(store_.claim_job("b1", "B", t0 + 10));
  store_.renew_leases("A", {"a1", "b1", "unknown"}, t0 + kHour);
  // At t0 + 20 only a1 was renewed; b1 belongs to B, which A cannot renew.
  const auto expired = ids(store_.expired_jobs(t0 + 20));
  EXPECT_EQ(expired, (std::vector<std::string>{"a2", "b1"}));
  store_.renew_leases("A", {}, t0 + kHour);  // nothing to do
}

TEST_P(StoreLeases, ExpiredJobsAreLiveOnesOldestFirstWithResults) {
  for (auto [id, status, created] :
       {std::tuple{"new", JobStatus::pending, 300}, std::tuple{"old", JobStatus::running, 100},
        std::tuple{"fin", JobStatus::failed, 50}, std::tuple{"mid", JobStatus::running, 200}}) {
    auto j = job("t", id, status, created);
    if (std::string(id) == "old") j.results.push_back(succeeded("Baguette"));
    store_.create_job(j);
  }
  ASSERT_TRUE(store_.claim_job("mid", "A", now_us() + kHour));
  const auto expired = store_.expired_jobs(now_us());
  EXPECT_EQ(ids(expired), (std::vector<std::string>{"old", "new"}));
  ASSERT_EQ(expired[0].results.size(), 1u);
  EXPECT_EQ(expired[0].results[0].product, "Baguette");
  EXPECT_EQ(expired[0].status, JobStatus::running);
}

TEST_P(StoreLeases, AFinishedJobIsFinal) {
  auto j = job("t", "j", JobStatus::running, 1);
  store_.create_job(j);
  j.status = JobStatus::failed;
  j.error = "interrupted: replica lost";
  j.seq = 4;
  store_.save_job(j);
  // A replica that lost the job later writes its own progress: ignored.
  auto stale = job("t", "j", JobStatus::running, 1);
  stale.seq = 4;
  stale.results.push_back(succeeded("Baguette"));
  store_.save_job(stale);
  const auto got = store_.get_job("t", "j");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, JobStatus::failed);
  EXPECT_EQ(got->error, "interrupted: replica lost");
  EXPECT_TRUE(got->results.empty());
  // …but another tenant's id is still an error, not silently ignored.
  EXPECT_THROW(store_.save_job(job("other", "j", JobStatus::running, 1)), std::invalid_argument);
}

TEST_P(StoreLeases, ConcurrentClaimsHaveExactlyOneWinner) {
  constexpr int kJobs = 20;
  constexpr int kReplicas = 4;
  for (int i = 0; i < kJobs; ++i) {
    store_.create_job(job("t", "j" + std::to_string(i), JobStatus::pending, i));
  }
  std::vector<std::vector<std::string>> won(kReplicas);
  std::vector<std::thread> threads;
  for (int r = 0; r < kReplicas; ++r) {
    threads.emplace_back([&, r] {
      const auto owner = "replica-" + std::to_string(r);
      for (int i = 0; i < kJobs; ++i) {
        const auto id = "j" + std::to_string(i);
        if (store_.claim_job(id, owner, now_us() + kHour)) won[r].push_back(id);
      }
    });
  }
  for (auto& t : threads) t.join();
  std::size_t total = 0;
  for (const auto& w : won) total += w.size();
  EXPECT_EQ(total, static_cast<std::size_t>(kJobs));
}

LEVAIN_STORE_BACKENDS(StoreLeases);

}  // namespace
}  // namespace levain::training
