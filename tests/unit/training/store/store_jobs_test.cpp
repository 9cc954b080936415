// Store jobs (both backends): round trips, growing results, ordering, isolation, recovery,
// concurrency.
#include <gtest/gtest.h>

#include <cmath>
#include <thread>

#include "store/store_backends.hpp"

namespace levain::training {
namespace {

JobRecord job(const std::string& tenant, const std::string& id, std::int64_t created) {
  JobRecord j;
  j.job_id = id;
  j.tenant_id = tenant;
  j.created_at_us = created;
  j.total_products = 3;
  j.requested_products = {"Baguette", "Croissant"};
  j.current_step = "Queued";
  return j;
}

ProductResult result(const std::string& product, double mape) {
  ProductResult r;
  r.product = product;
  r.status = "succeeded";
  r.model = "additive";
  r.metrics = {1.5, 2.25, mape, 7.125, 0.875};
  r.fit_ms = 12.5;
  return r;
}

void expect_same(const ProductResult& a, const ProductResult& b) {
  EXPECT_EQ(a.product, b.product);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.error, b.error);
  EXPECT_EQ(a.model, b.model);
  EXPECT_EQ(a.fallback, b.fallback);
  EXPECT_EQ(a.fallback_reason, b.fallback_reason);
  for (auto [x, y] : {std::pair{a.metrics.mae, b.metrics.mae},
                      {a.metrics.rmse, b.metrics.rmse},
                      {a.metrics.mape, b.metrics.mape},
                      {a.metrics.smape, b.metrics.smape},
                      {a.metrics.mase, b.metrics.mase},
                      {a.fit_ms, b.fit_ms}}) {
    if (std::isnan(y)) {
      EXPECT_TRUE(std::isnan(x));
    } else {
      EXPECT_EQ(x, y);
    }
  }
}

void expect_same(const JobRecord& a, const JobRecord& b) {
  EXPECT_EQ(a.job_id, b.job_id);
  EXPECT_EQ(a.tenant_id, b.tenant_id);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.progress, b.progress);
  EXPECT_EQ(a.seq, b.seq);
  EXPECT_EQ(a.total_products, b.total_products);
  EXPECT_EQ(a.products_completed, b.products_completed);
  EXPECT_EQ(a.horizon_days, b.horizon_days);
  EXPECT_EQ(a.requested_products, b.requested_products);
  EXPECT_EQ(a.current_step, b.current_step);
  EXPECT_EQ(a.error, b.error);
  EXPECT_EQ(a.created_at_us, b.created_at_us);
  EXPECT_EQ(a.started_at_us, b.started_at_us);
  EXPECT_EQ(a.finished_at_us, b.finished_at_us);
  ASSERT_EQ(a.results.size(), b.results.size());
  for (std::size_t i = 0; i < a.results.size(); ++i) expect_same(a.results[i], b.results[i]);
}

class StoreJobs : public testing::StoreTest {};

TEST_P(StoreJobs, CreateThenGetRoundTrips) {
  const auto j = job("t", "j1", 1'700'000'000'123'456);
  store_.create_job(j);
  const auto got = store_.get_job("t", "j1");
  ASSERT_TRUE(got);
  expect_same(*got, j);
  EXPECT_FALSE(store_.get_job("t", "nope"));
}

TEST_P(StoreJobs, CreatingTheSameIdTwiceFails) {
  store_.create_job(job("t", "j1", 1));
  EXPECT_THROW(store_.create_job(job("t", "j1", 2)), std::runtime_error);
  EXPECT_EQ(store_.get_job("t", "j1")->created_at_us, 1);
}

TEST_P(StoreJobs, SaveJobGrowsResultsAndUpdatesEveryField) {
  auto j = job("t", "j1", 100);
  store_.create_job(j);
  j.status = JobStatus::running;
  j.started_at_us = 200;
  j.seq = 2;
  j.progress = 20;
  j.current_step = "Data Analysis";
  store_.save_job(j);
  expect_same(*store_.get_job("t", "j1"), j);

  j.results.push_back(result("Baguette", 8.1));
  j.products_completed = 1;
  j.seq = 3;
  j.progress = 40;
  store_.save_job(j);
  expect_same(*store_.get_job("t", "j1"), j);

  ProductResult failed;
  failed.product = "Croissant";
  failed.status = "failed";
  failed.error = "not enough history";
  failed.model = "seasonal_naive";
  failed.fallback = true;
  failed.fallback_reason = "too short";
  failed.fit_ms = forecast::kNaN;
  j.results.push_back(failed);
  j.results.push_back(result("Pain", forecast::kNaN));
  j.products_completed = 3;
  j.status = JobStatus::completed;
  j.progress = 100;
  j.seq = 6;
  j.finished_at_us = 900;
  j.error = "";
  store_.save_job(j);
  expect_same(*store_.get_job("t", "j1"), j);
}

TEST_P(StoreJobs, SaveJobWithFewerResultsTrims) {
  auto j = job("t", "j1", 1);
  j.results = {result("A", 1), result("B", 2)};
  store_.create_job(j);
  j.results.pop_back();
  store_.save_job(j);
  expect_same(*store_.get_job("t", "j1"), j);
}

TEST_P(StoreJobs, SaveJobCreatesAMissingJob) {
  auto j = job("t", "j1", 1);
  j.results = {result("A", 1)};
  store_.save_job(j);
  expect_same(*store_.get_job("t", "j1"), j);
}

TEST_P(StoreJobs, SaveJobRefusesAnotherTenantsId) {
  store_.create_job(job("a", "j1", 1));
  auto intruder = job("b", "j1", 2);
  intruder.status = JobStatus::cancelled;
  EXPECT_THROW(store_.save_job(intruder), std::invalid_argument);
  EXPECT_EQ(store_.get_job("a", "j1")->status, JobStatus::pending);
  EXPECT_FALSE(store_.get_job("b", "j1"));
}

TEST_P(StoreJobs, ListJobsNewestFirstWithLimit) {
  store_.create_job(job("t", "old", 100));
  store_.create_job(job("t", "newest", 300));
  store_.create_job(job("t", "middle", 200));
  store_.create_job(job("t", "middle-later-insert", 200));
  auto list = store_.list_jobs("t", 10);
  ASSERT_EQ(list.size(), 4u);
  EXPECT_EQ(list[0].job_id, "newest");
  EXPECT_EQ(list[1].job_id, "middle-later-insert");  // ties: the later insert is newer
  EXPECT_EQ(list[2].job_id, "middle");
  EXPECT_EQ(list[3].job_id, "old");
  list = store_.list_jobs("t", 2);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1].job_id, "middle-later-insert");
  EXPECT_TRUE(store_.list_jobs("t", 0).empty());
  EXPECT_EQ(store_.list_jobs("t", static_cast<std::size_t>(-1)).size(), 4u);
}

TEST_P(StoreJobs, ListJobsCarriesResults) {
  auto j = job("t", "j1", 1);
  j.results = {result("A", 1), result("B", 2)};
  store_.create_job(j);
  const auto list = store_.list_jobs("t", 5);
  ASSERT_EQ(list.size(), 1u);
  expect_same(list[0], j);
}

TEST_P(StoreJobs, TenantsAreIsolated) {
  store_.create_job(job("a", "ja", 1));
  store_.create_job(job("b", "jb", 2));
  EXPECT_FALSE(store_.get_job("a", "jb"));
  EXPECT_FALSE(store_.get_job("b", "ja"));
  const auto list = store_.list_jobs("a", 10);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].job_id, "ja");
}

TEST_P(StoreJobs, UnfinishedJobsArePendingOrRunningOldestFirst) {
  const std::pair<const char*, JobStatus> cases[] = {
      {"done", JobStatus::completed}, {"run2", JobStatus::running},   {"bad", JobStatus::failed},
      {"pend", JobStatus::pending},   {"stop", JobStatus::cancelled}, {"run1", JobStatus::running}};
  std::int64_t created = 1000;
  for (const auto& [id, status] : cases) {
    auto j = job(std::string(id) == "pend" ? "other-tenant" : "t", id, created);
    created -= 100;  // later entries are older
    j.status = status;
    store_.create_job(j);
  }
  const auto jobs = store_.unfinished_jobs();
  ASSERT_EQ(jobs.size(), 3u);
  EXPECT_EQ(jobs[0].job_id, "run1");
  EXPECT_EQ(jobs[1].job_id, "pend");
  EXPECT_EQ(jobs[1].tenant_id, "other-tenant");
  EXPECT_EQ(jobs[2].job_id, "run2");
}

TEST_P(StoreJobs, JobsSurviveReopen) {
  auto j = job("t", "j1", 5);
  j.status = JobStatus::running;
  j.results = {result("A", 3)};
  store_.create_job(job("t", "j1", 5));
  store_.save_job(j);
  owned_.reset();
  const auto store = db_.open();
  expect_same(*store->get_job("t", "j1"), j);
  EXPECT_EQ(store->unfinished_jobs().size(), 1u);
}

TEST_P(StoreJobs, SaveJobFromManyThreadsOnDifferentJobs) {
  Store& store = store_;
  constexpr int kThreads = 6;
  constexpr int kProducts = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&store, t] {
      auto j = job("t", "job-" + std::to_string(t), t);
      store.create_job(j);
      for (int p = 0; p < kProducts; ++p) {
        j.results.push_back(result("P" + std::to_string(p), p));
        j.products_completed = p + 1;
        j.seq = static_cast<std::uint64_t>(p + 1);
        store.save_job(j);
        store.get_job("t", j.job_id);  // readers interleave with writers
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    const auto j = store.get_job("t", "job-" + std::to_string(t));
    ASSERT_TRUE(j);
    ASSERT_EQ(j->results.size(), static_cast<std::size_t>(kProducts));
    EXPECT_EQ(j->seq, static_cast<std::uint64_t>(kProducts));
    for (int p = 0; p < kProducts; ++p) EXPECT_EQ(j->results[p].product, "P" + std::to_string(p));
  }
}

LEVAIN_STORE_BACKENDS(StoreJobs);

}  // namespace
}  // namespace levain::training
