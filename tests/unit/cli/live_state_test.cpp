#include "cli/client/live_state.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <string>

#include "messages.hpp"

namespace levain::cli {
namespace {

using Apply = LiveState::Apply;

boost::json::object msg(const std::string& text) { return boost::json::parse(text).as_object(); }

using test_messages::connected;
using test_messages::product_done;

TEST(LiveState, SnapshotThenEventsInOrder) {
  LiveState state;
  EXPECT_EQ(state.status(), "unknown");
  EXPECT_FALSE(state.has_snapshot());
  ASSERT_EQ(state.apply(msg(connected(0, "pending", 0))), Apply::applied);
  EXPECT_EQ(state.job_id(), "j1");
  EXPECT_EQ(state.status(), "pending");
  EXPECT_EQ(state.seq(), 0);

  ASSERT_EQ(state.apply(msg(R"({"type":"started","seq":1,"data":{"progress":0,"total_products":2,
      "products_completed":0,"current_step":"Starting"}})")),
            Apply::applied);
  EXPECT_EQ(state.status(), "running");
  EXPECT_EQ(state.total_products(), 2);
  ASSERT_EQ(state.apply(msg(R"({"type":"progress","seq":2,"data":{"progress":20,
      "current_step":"Data Analysis","products_completed":0,"total_products":2}})")),
            Apply::applied);
  EXPECT_EQ(state.current_step(), "Data Analysis");
  ASSERT_EQ(state.apply(msg(product_done(3, 50, 1, 2, "Baguette"))), Apply::applied);
  EXPECT_EQ(state.last_product(), "Baguette");
  EXPECT_EQ(state.last_product_status(), "succeeded");
  EXPECT_EQ(state.products_completed(), 1);
  EXPECT_EQ(state.progress(), 50);
  ASSERT_EQ(state.apply(msg(product_done(4, 80, 2, 2, "Croissant", "failed"))), Apply::applied);
  EXPECT_EQ(state.last_product_status(), "failed");
  EXPECT_FALSE(state.terminal());
  ASSERT_EQ(state.apply(msg(R"({"type":"completed","seq":5,"data":{"progress":100,
      "current_step":"Completed","products_completed":2,"total_products":2,
      "successful_trainings":1,"failed_trainings":1,"total_duration":1.5}})")),
            Apply::applied);
  EXPECT_EQ(state.status(), "completed");
  EXPECT_EQ(state.progress(), 100);
  EXPECT_EQ(state.seq(), 5);
  EXPECT_TRUE(state.terminal());
  EXPECT_TRUE(state.error().empty());
}

TEST(LiveState, AResumedConnectedKeepsTheStateAtTheFoldedSeqOnly) {
  const std::string resumed_at_3 = R"({"type":"connected","seq":3,"data":{"resumed":true}})";
  LiveState fresh;
  EXPECT_EQ(fresh.apply(msg(resumed_at_3)), Apply::gap);  // nothing folded: it needs a snapshot
  LiveState state;
  ASSERT_EQ(state.apply(msg(connected(0, "running", 0))), Apply::applied);
  ASSERT_EQ(state.apply(msg(product_done(1, 50, 1, 2, "Baguette"))), Apply::applied);
  EXPECT_EQ(state.apply(msg(resumed_at_3)), Apply::gap);  // 2 and 3 would be missing
  EXPECT_EQ(state.apply(msg(R"({"type":"connected","seq":1,"data":{"resumed":true}})")),
            Apply::applied);
  EXPECT_EQ(state.seq(), 1);
  EXPECT_EQ(state.last_product(), "Baguette");
  EXPECT_EQ(state.apply(msg(product_done(2, 80, 2, 2, "Croissant"))), Apply::applied);
}

TEST(LiveState, DuplicateAndOldSeqAreIgnored) {
  LiveState state;
  ASSERT_EQ(state.apply(msg(connected(3, "running", 40, 1, 3))), Apply::applied);
  EXPECT_EQ(state.apply(msg(product_done(3, 40, 1, 3, "Old"))), Apply::duplicate_or_old);
  EXPECT_EQ(state.apply(msg(product_done(2, 20, 0, 3, "Older"))), Apply::duplicate_or_old);
  EXPECT_EQ(state.last_product(), "");
  ASSERT_EQ(state.apply(msg(product_done(4, 60, 2, 3, "New"))), Apply::applied);
  EXPECT_EQ(state.apply(msg(product_done(4, 60, 2, 3, "New"))), Apply::duplicate_or_old);
  EXPECT_EQ(state.seq(), 4);
  EXPECT_EQ(state.products_completed(), 2);
}

TEST(LiveState, GapIsDetectedAndNotApplied) {
  LiveState state;
  ASSERT_EQ(state.apply(msg(connected(2, "running", 20, 0, 3))), Apply::applied);
  EXPECT_EQ(state.apply(msg(product_done(4, 60, 2, 3, "Skipped"))), Apply::gap);
  EXPECT_EQ(state.seq(), 2);
  EXPECT_EQ(state.progress(), 20);
  // A fresh snapshot (what the caller gets by reconnecting) resynchronises.
  ASSERT_EQ(state.apply(msg(connected(4, "running", 60, 2, 3))), Apply::applied);
  EXPECT_EQ(state.apply(msg(product_done(5, 80, 3, 3, "Last"))), Apply::applied);
}

TEST(LiveState, ProgressNeverDecreases) {
  LiveState state;
  ASSERT_EQ(state.apply(msg(connected(3, "running", 46, 1, 3))), Apply::applied);
  // An event carrying a lower progress (products finish out of order) keeps the bar where it is.
  ASSERT_EQ(state.apply(msg(product_done(4, 30, 2, 3, "Odd"))), Apply::applied);
  EXPECT_EQ(state.progress(), 46);
  // A reconnect whose snapshot reports less does not move it back either.
  ASSERT_EQ(state.apply(msg(connected(4, "running", 10, 2, 3))), Apply::applied);
  EXPECT_EQ(state.progress(), 46);
  // Out-of-range values are clamped.
  ASSERT_EQ(state.apply(msg(product_done(5, 250, 3, 3, "Big"))), Apply::applied);
  EXPECT_EQ(state.progress(), 100);
}

TEST(LiveState, StaleSnapshotDoesNotRollBack) {
  LiveState state;
  ASSERT_EQ(state.apply(msg(connected(5, "running", 60, 2, 3))), Apply::applied);
  EXPECT_EQ(state.apply(msg(connected(3, "running", 40, 1, 3))), Apply::duplicate_or_old);
  EXPECT_EQ(state.seq(), 5);
  EXPECT_EQ(state.products_completed(), 2);
}

TEST(LiveState, FailedCarriesTheServersReason) {
  LiveState state;
  ASSERT_EQ(state.apply(msg(connected(2, "running", 20, 0, 1))), Apply::applied);
  ASSERT_EQ(state.apply(msg(R"({"type":"failed","seq":3,"data":{"progress":20,
      "error":"no sales data for Baguette"}})")),
            Apply::applied);
  EXPECT_EQ(state.status(), "failed");
  EXPECT_EQ(state.error(), "no sales data for Baguette");
  EXPECT_TRUE(state.terminal());
  // Nothing after the end reopens the job.
  ASSERT_EQ(state.apply(msg(product_done(4, 90, 1, 1, "Late"))), Apply::applied);
  EXPECT_EQ(state.status(), "failed");
}

TEST(LiveState, CancelledIsTerminalWithReason) {
  LiveState state;
  ASSERT_EQ(state.apply(msg(connected(2, "running", 20))), Apply::applied);
  ASSERT_EQ(state.apply(msg(R"({"type":"failed","seq":3,"data":{"reason":"cancelled"}})")),
            Apply::applied);
  EXPECT_EQ(state.status(), "cancelled");
  EXPECT_EQ(state.error(), "cancelled");
  EXPECT_TRUE(state.terminal());
}

TEST(LiveState, TerminalSnapshotOfAFinishedJob) {
  LiveState state;
  ASSERT_EQ(state.apply(msg(R"({"type":"connected","seq":9,"data":{"snapshot":{
      "job_id":"j9","status":"completed","progress":100,"seq":9,"total_products":2,
      "products_completed":2,"products":[{"product_name":"A","status":"succeeded"},
      {"product_name":"B","status":"failed"}]}}})")),
            Apply::applied);
  EXPECT_TRUE(state.terminal());
  EXPECT_EQ(state.progress(), 100);
  EXPECT_EQ(state.last_product(), "B");
  EXPECT_EQ(state.last_product_status(), "failed");

  LiveState failed;
  ASSERT_EQ(failed.apply(msg(R"({"type":"connected","seq":4,"data":{"snapshot":{
      "status":"failed","seq":4,"progress":20,"error":"interrupted by restart"}}})")),
            Apply::applied);
  EXPECT_TRUE(failed.terminal());
  EXPECT_EQ(failed.error(), "interrupted by restart");
}

TEST(LiveState, PongAndUnknownWithoutSeqAreIgnored) {
  LiveState state;
  ASSERT_EQ(state.apply(msg(connected(1, "running", 0))), Apply::applied);
  EXPECT_EQ(state.apply(msg(R"({"type":"pong"})")), Apply::ignored);
  EXPECT_EQ(state.seq(), 1);
  // A future event type with a seq still advances the sequence (so no false gap follows).
  EXPECT_EQ(state.apply(msg(R"({"type":"heartbeat_v2","seq":2,"data":{"progress":5}})")),
            Apply::applied);
  EXPECT_EQ(state.seq(), 2);
}

TEST(LiveState, MalformedMessagesAreReportedAndChangeNothing) {
  LiveState state;
  ASSERT_EQ(state.apply(msg(connected(1, "running", 20, 0, 2))), Apply::applied);
  const char* bad[] = {
      R"({})",
      R"({"type":42})",
      R"({"type":"connected"})",
      R"({"type":"connected","data":{"snapshot":[]}})",
      R"({"type":"connected","data":{"snapshot":{"status":"running"}}})",
      R"({"type":"connected","data":{"snapshot":{"status":7,"seq":3}}})",
      R"({"type":"progress","seq":"2","data":{}})",
      R"({"type":"progress","seq":-1,"data":{}})",
      R"({"type":"progress","seq":2.5,"data":{}})",
      R"({"type":"progress","seq":2})",
      R"({"type":"progress","seq":2,"data":"x"})",
      R"({"type":"progress","seq":18446744073709551615,"data":{}})",
  };
  for (const char* text : bad) {
    SCOPED_TRACE(text);
    EXPECT_EQ(state.apply(msg(text)), Apply::malformed);
    EXPECT_FALSE(state.problem().empty());
  }
  EXPECT_EQ(state.seq(), 1);
  EXPECT_EQ(state.status(), "running");
  EXPECT_EQ(state.progress(), 20);
  // Wrongly typed fields inside a valid event are skipped, the event still counts.
  EXPECT_EQ(state.apply(msg(R"({"type":"progress","seq":2,"data":{"progress":"lots",
      "total_products":null,"current_step":5}})")),
            Apply::applied);
  EXPECT_EQ(state.seq(), 2);
  EXPECT_EQ(state.progress(), 20);
  EXPECT_EQ(state.total_products(), 2);
}

TEST(LiveState, ASummaryMayStandForSeveralEventsAndWatchersAreNoEvent) {
  LiveState state;
  ASSERT_EQ(state.apply(msg(connected(2, "running", 20, 0, 10))), Apply::applied);
  // max_rate: seq 7 folds events 3..7 (five products); it is not a gap.
  ASSERT_EQ(state.apply(msg(test_messages::event(
                7, "progress_summary",
                R"("progress":50,"products_completed":5,"total_products":10,"eta_s":12.5,
                "elapsed_s":3.0,"in_flight":["Rye","Spelt"],
                "summary":{"median_mase":0.8312,"mean_mape":12.1,"fallbacks":0,"failed":0,"worst":[]},
                "products":[{"product_name":"A","status":"succeeded"},{"product_name":"E","status":"succeeded"}])"))),
            Apply::applied);
  EXPECT_EQ(state.seq(), 7);
  EXPECT_EQ(state.products_completed(), 5);
  EXPECT_EQ(state.last_product(), "E");
  EXPECT_EQ(state.eta_s(), 12.5);
  EXPECT_EQ(state.in_flight(), (std::vector<std::string>{"Rye", "Spelt"}));
  EXPECT_NEAR(*state.median_mase(), 0.8312, 1e-9);
  // An ordinary event after it must follow it.
  EXPECT_EQ(state.apply(msg(product_done(9, 56, 6, 10, "F"))), Apply::gap);
  // `watchers` has no seq: the count changes, the seq does not.
  ASSERT_EQ(state.apply(msg(R"({"type":"watchers","job_id":"j1","data":{"watchers":3}})")),
            Apply::applied);
  EXPECT_EQ(state.watchers(), 3u);
  EXPECT_EQ(state.seq(), 7);
  EXPECT_EQ(state.apply(msg(product_done(8, 56, 6, 10, "F"))), Apply::applied);
}

}  // namespace
}  // namespace levain::cli
