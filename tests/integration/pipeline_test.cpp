// The whole live pipeline against the real binary: upload, a queued job watched from its first
// event by two clients, a third joining mid-job, a fourth after the end, then REST results.

#include <boost/json.hpp>

#include "harness/fixture.hpp"
#include "harness/json_access.hpp"
#include "harness/stream_checks.hpp"

namespace levain::integration {
namespace {

class PipelineTest : public LevainTest {};

TEST_F(PipelineTest, ThreeWatchersSeeTheExactSequenceAndResultsAreServed) {
  constexpr int kProducts = 20;
  start_server({"--max-concurrent-jobs", "1", "--train-threads", "2"});
  const std::string tenant = "bakery";
  const std::string blocker_tenant = "blocker";
  const std::string tok = token({tenant, blocker_tenant});

  const auto up = upload(tenant, tok, demo_csv(kProducts, 400, 11));
  EXPECT_EQ(int_at(up, "rejected"), 0) << dump(up);
  EXPECT_EQ(int_at(up, "accepted"), kProducts * 400) << dump(up);
  upload(blocker_tenant, tok, demo_csv(120, 120, 3));

  // With one job slot, B stays pending while A runs: its watchers see it from seq 1.
  const std::string job_a = start_job(blocker_tenant, tok);
  const std::string job_b = start_job(tenant, tok);
  EXPECT_EQ(str_at(get_job(tenant, tok, job_b), "status"), "pending");

  auto c1 = watch(tenant, job_b, tok);
  auto c2 = watch(tenant, job_b, tok);
  for (auto* c : {c1.get(), c2.get()}) {
    ASSERT_TRUE(c->next().has_value()) << c->end().describe();
    ASSERT_TRUE(starts_with_connected(c->messages(), job_b));
    const auto& snap = at(c->messages()[0], "data/snapshot");
    EXPECT_EQ(str_at(snap, "status"), "pending") << dump(snap);
    EXPECT_EQ(int_at(snap, "seq"), 0) << dump(snap);
    EXPECT_TRUE(snapshot_consistent(snap));
  }

  // Free the slot; B starts.
  const auto cancel = http().post(jobs_path(blocker_tenant) + "/" + job_a + "/cancel", tok, "");
  EXPECT_TRUE(cancel.status == 202 || cancel.status == 409) << cancel.summary();

  // The third client joins once the first has seen the 5th product: ordered by the stream.
  ASSERT_TRUE(c1->read_until_type("product_completed", 5)) << c1->end().describe();
  auto c3 = watch(tenant, job_b, tok);
  c1->read_until_close();
  c2->read_until_close();
  c3->read_until_close();

  for (auto* c : {c1.get(), c2.get()}) {
    SCOPED_TRACE("watcher from the start");
    EXPECT_TRUE(events_follow_snapshot(c->messages()));
    EXPECT_TRUE(full_success_sequence(c->messages(), kProducts));
    EXPECT_TRUE(ends_with(*c, "completed", 1000));
  }
  EXPECT_EQ(events_of(c1->messages()), events_of(c2->messages()))
      << "the two early watchers saw different events";

  {
    SCOPED_TRACE("late joiner");
    ASSERT_TRUE(starts_with_connected(c3->messages(), job_b));
    const auto& snap = at(c3->messages()[0], "data/snapshot");
    const auto st = str_at(snap, "status");
    EXPECT_TRUE(st == "running" || st == "completed") << dump(snap);
    EXPECT_GE(int_at(snap, "products_completed"), 5) << dump(snap);
    EXPECT_TRUE(snapshot_consistent(snap));
    EXPECT_TRUE(events_follow_snapshot(c3->messages()));
    EXPECT_TRUE(ends_with(*c3, "completed", 1000));
    // From the snapshot on, the late joiner saw exactly what the others saw.
    Messages tail;
    for (const auto& e : events_of(c1->messages())) {
      if (int_at(e, "seq") > int_at(snap, "seq")) tail.push_back(e);
    }
    EXPECT_EQ(events_of(c3->messages()), tail);
  }

  // After the end: connected (completed) and close 1000 at once.
  auto c4 = watch(tenant, job_b, tok);
  c4->read_until_close();
  ASSERT_TRUE(starts_with_connected(c4->messages(), job_b));
  EXPECT_EQ(c4->messages().size(), 1u) << dump(c4->messages().back());
  EXPECT_EQ(str_at(c4->messages()[0], "data/snapshot/status"), "completed");
  EXPECT_TRUE(snapshot_consistent(at(c4->messages()[0], "data/snapshot")));
  EXPECT_EQ(c4->end().code, 1000) << c4->end().describe();

  const auto job = get_job(tenant, tok, job_b);
  EXPECT_EQ(str_at(job, "status"), "completed") << dump(job);
  EXPECT_EQ(int_at(job, "progress"), 100);
  EXPECT_EQ(int_at(job, "products_completed"), kProducts);
  EXPECT_EQ(int_at(job, "total_products"), kProducts);
  ASSERT_EQ(arr_at(job, "products").size(), static_cast<std::size_t>(kProducts)) << dump(job);
  for (const auto& p : arr_at(job, "products")) {
    EXPECT_TRUE(has(p, "product_name") && has(p, "status") && has(p, "model") &&
                has(p, "metrics/mae") && has(p, "fit_ms"))
        << dump(p);
  }
  EXPECT_EQ(at(c4->messages()[0], "data/snapshot/products"), at(job, "products"))
      << "the WebSocket snapshot and REST disagree on the products";

  const std::string product = str_at(job, "products/0/product_name");
  const auto fc = http().get(
      "/api/v1/tenants/" + tenant + "/forecasts?product=" + url_encode(product) + "&days=14", tok);
  ASSERT_EQ(fc.status, 200) << fc.summary();
  EXPECT_EQ(str_at(fc.json, "product"), product);
  const auto& points = arr_at(fc.json, "points");
  EXPECT_EQ(points.size(), 14u);
  for (const auto& pt : points) {
    const double lo = num_at(pt, "yhat_lower");
    const double y = num_at(pt, "yhat");
    const double hi = num_at(pt, "yhat_upper");
    EXPECT_LE(lo, y) << dump(pt);
    EXPECT_LE(y, hi) << dump(pt);
    EXPECT_GE(lo, 0.0) << dump(pt);
    EXPECT_EQ(str_at(pt, "date").size(), 10u) << dump(pt);
  }

  const auto models = http().get("/api/v1/tenants/" + tenant + "/models", tok);
  EXPECT_EQ(models.status, 200) << models.summary();
  const auto list = http().get(jobs_path(tenant), tok);
  ASSERT_EQ(list.status, 200) << list.summary();
  EXPECT_EQ(str_at(list.json, "jobs/0/job_id"), job_b);
}

}  // namespace
}  // namespace levain::integration
