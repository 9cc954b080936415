// What a manager acts on, end to end on the real binary (docs/live-protocol.md): ETA, elapsed
// time, products in flight, running accuracy and the data report on the events and in GET;
// `?max_rate=` over WebSocket and SSE through the gateway; who is watching; 409 on a second
// start; `levain cancel`.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <set>

#include "harness/fixture.hpp"
#include "harness/json_access.hpp"
#include "harness/process.hpp"
#include "harness/sse_client.hpp"
#include "harness/stream_checks.hpp"

namespace levain::integration {
namespace {

namespace json = boost::json;

// What a client folds from a stream: products in order, the last seq, and the final progress.
struct Folded {
  std::vector<std::string> products;
  std::int64_t last_seq = 0;
  std::int64_t progress = 0;
  std::string end_type;
};

Folded fold(const Messages& messages) {
  Folded f;
  for (const auto& m : messages) {
    const auto type = type_of(m);
    if (type == "connected") {
      f.last_seq = int_at(m, "seq");
      for (const auto& p : find(m, "data/snapshot/products")->as_array()) {
        f.products.push_back(std::string(p.at("product_name").as_string()));
      }
      continue;
    }
    EXPECT_GT(int_at(m, "seq"), f.last_seq) << "seq must strictly increase: " << dump(m);
    f.last_seq = int_at(m, "seq");
    f.progress = int_at(m, "data/progress");
    f.end_type = type;
    if (type == "product_completed") f.products.push_back(str_at(m, "data/product_name"));
    if (type == "progress_summary") {
      for (const auto& p : find(m, "data/products")->as_array()) {
        f.products.push_back(std::string(p.at("product_name").as_string()));
      }
    }
  }
  return f;
}

// Seconds of the day from the message's ISO timestamp (the server's clock, not the test's).
double seconds_of(const json::value& m) {
  const auto ts = str_at(m, "timestamp");  // YYYY-MM-DDTHH:MM:SS.ffffffZ
  return std::stod(ts.substr(11, 2)) * 3600 + std::stod(ts.substr(14, 2)) * 60 +
         std::stod(ts.substr(17, 9));
}

// Summaries that went out on their own (not right before a milestone) keep the pace: over the
// time from the first of them to the last message there are at most rate × that time + 1 of
// them (+1 more for the clock reads around each timestamp). The exact spacing is the coalescer's
// property test; this checks the wiring without leaning on how quickly anything ran.
void expect_paced(const Messages& messages, double rate, const std::string& what) {
  std::optional<double> first;
  std::size_t paced = 0;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    if (type_of(messages[i]) != "progress_summary") continue;
    const bool before_milestone =
        i + 1 < messages.size() && type_of(messages[i + 1]) != "progress_summary";
    if (before_milestone) continue;
    ++paced;
    if (!first) first = seconds_of(messages[i]);
  }
  if (!first) return;
  double span = seconds_of(messages.back()) - *first;
  if (span < 0) span += 86400;  // the job ran across midnight UTC
  EXPECT_LE(static_cast<double>(paced), rate * span + 2)
      << what << ": " << paced << " in " << span << " s";
}

class LiveProgressTest : public LevainTest {};

TEST_F(LiveProgressTest, EventsCarryEtaInFlightAccuracyAndTheReportAndGetKeepsThem) {
  start_server({"--train-threads", "2"});
  const auto tok = token({"bakery"});
  upload("bakery", tok, demo_csv(12, 200));
  const auto job = start_job("bakery", tok);
  auto c = watch("bakery", job, tok);
  const auto& messages = c->read_until_close();
  ASSERT_TRUE(starts_with_connected(messages, job));
  EXPECT_GE(int_at(messages.front(), "data/watchers"), 1);
  bool saw_report = false, saw_eta = false;
  for (const auto& m : events_of(messages)) {
    EXPECT_TRUE(has(m, "data/elapsed_s")) << dump(m);
    EXPECT_TRUE(has(m, "data/eta_s")) << dump(m);
    EXPECT_LE(find(m, "data/in_flight")->as_array().size(), 2u) << dump(m);
    if (type_of(m) == "progress") {
      saw_report = true;
      EXPECT_EQ(int_at(m, "data/report/products"), 12);
      EXPECT_EQ(int_at(m, "data/report/days"), 200);
    }
    if (type_of(m) == "product_completed") {
      EXPECT_TRUE(has(m, "data/duration_ms")) << dump(m);
      EXPECT_TRUE(has(m, "data/summary/median_mase")) << dump(m);
      saw_eta = saw_eta || find(m, "data/eta_s")->is_number();
    }
  }
  // A watcher that joined after the analysis has the report in its snapshot instead.
  if (!saw_report) {
    EXPECT_EQ(int_at(messages.front(), "data/snapshot/report/products"), 12);
  }
  EXPECT_TRUE(saw_eta);
  const auto& done = messages.back();
  ASSERT_EQ(type_of(done), "completed");
  EXPECT_EQ(find(done, "data/summary/worst")->as_array().size(), 5u);
  ASSERT_EQ(find(done, "data/eta_error")->as_array().size(), 4u) << dump(done);
  EXPECT_TRUE(has(done, "data/eta_error/0/error_pct")) << dump(done);

  const auto view = get_job("bakery", tok, job);
  EXPECT_EQ(int_at(view, "report/products"), 12);
  EXPECT_EQ(dump(*find(view, "summary")), dump(*find(done, "data/summary")));
  EXPECT_EQ(int_at(view, "watchers"), 0);  // the watcher is gone
  EXPECT_TRUE(has(view, "products/0/duration_ms"));
}

TEST_F(LiveProgressTest, MaxRateFoldsToTheFullFoldOverWebSocketAndSseThroughTheGateway) {
  auto& replica = start_server({"--train-threads", "1"});
  auto& gw = start_gateway({replica.port()});
  const auto tok = token({"bakery"});
  upload("bakery", tok, demo_csv(150, 120));
  const auto job = start_job("bakery", tok);
  const double rate = 4;
  auto full = watch("bakery", job, tok, {}, gw.port());
  auto slow_ws =
      std::make_unique<WsClient>(gw.port(), live_target("bakery", job, tok) + "&max_rate=4");
  SseClient slow_sse(gw.port(), live_target("bakery", job, tok) + "&max_rate=4");
  const auto& all = full->read_until_close();
  const auto& ws_messages = slow_ws->read_until_close();
  const auto& sse_messages = slow_sse.read_until_close();
  EXPECT_EQ(full->end().code, 1000);
  EXPECT_EQ(slow_ws->end().code, 1000);
  EXPECT_EQ(slow_sse.end().code, 1000);

  const auto want = fold(all);
  for (const auto* messages : {&ws_messages, &sse_messages}) {
    const auto got = fold(*messages);
    EXPECT_EQ(got.products, want.products);
    EXPECT_EQ(got.last_seq, want.last_seq);
    EXPECT_EQ(got.progress, 100);
    EXPECT_EQ(got.end_type, "completed");
    std::size_t summaries = 0, product_events = 0;
    for (const auto& m : *messages) {
      summaries += type_of(m) == "progress_summary";
      if (type_of(m) == "product_completed") {
        ++product_events;
        EXPECT_EQ(str_at(m, "data/status"), "failed") << "only failures pass on their own";
      }
    }
    EXPECT_GT(summaries, 0u);
    EXPECT_LT(summaries + product_events, 150u) << "folded, not one message per product";
    expect_paced(*messages, rate, messages == &ws_messages ? "websocket" : "sse");
  }
}

TEST_F(LiveProgressTest, ABadMaxRateIsAnHttpErrorBeforeAnyUpgrade) {
  start_server();
  const auto tok = token({"bakery"});
  for (const char* bad : {"0", "-1", "abc", "1001", "nan"}) {
    const auto r =
        http().request("GET", live_target("bakery", "some-job", tok) + "&max_rate=" + bad, "",
                       {{"Accept", "text/event-stream"}});
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_NE(r.body.find("max_rate"), std::string::npos) << r.body;
  }
}

TEST_F(LiveProgressTest, TheSecondWatcherIsAnnouncedAndCounted) {
  start_server({"--train-threads", "1"});
  const auto tok = token({"bakery"});
  upload("bakery", tok, demo_csv(300, 200));
  const auto job = start_job("bakery", tok);
  auto first = watch("bakery", job, tok);
  ASSERT_TRUE(first->next());  // connected
  auto second = watch("bakery", job, tok);
  ASSERT_TRUE(second->next());
  // Within a second of the join the first watcher hears there are two.
  ASSERT_TRUE(first->read_until_watchers(2)) << first->end().describe();
  EXPECT_EQ(int_at(get_job("bakery", tok, job), "watchers"), 2);
}

TEST_F(LiveProgressTest, ASecondStartWhileOneRunsIs409WithItsIdUnlessConcurrencyIsAsked) {
  start_server({"--train-threads", "1"});
  const auto tok = token({"bakery"});
  upload("bakery", tok, demo_csv(100, 200));
  const auto job = start_job("bakery", tok);
  const auto again = http().post(jobs_path("bakery"), tok, "{}");
  ASSERT_EQ(again.status, 409) << again.body;
  const auto body = json::parse(again.body);
  EXPECT_EQ(str_at(body, "error/code"), "job_running");
  EXPECT_EQ(str_at(body, "job_id"), job);
  const auto second = start_job("bakery", tok, R"({"allow_concurrent": true})");
  EXPECT_NE(second, job);
  const auto bad = http().post(jobs_path("bakery"), tok, R"({"allow_concurrent": "yes"})");
  EXPECT_EQ(bad.status, 400) << bad.body;
}

TEST_F(LiveProgressTest, LevainCancelEndsTheJobCancelledForItsWatchers) {
  auto& s = start_server({"--train-threads", "1"});
  const auto tok = token({"bakery"});
  upload("bakery", tok, demo_csv(200, 300));
  const auto job = start_job("bakery", tok);
  auto c = watch("bakery", job, tok);
  ASSERT_TRUE(c->read_until_type("product_completed"));
  const auto url = "http://127.0.0.1:" + std::to_string(s.port());
  const auto r =
      run_levain({"cancel", "--url", url, "--tenant", "bakery", "--job", job, "--token", tok});
  EXPECT_EQ(r.status.code, 0) << r.err;
  EXPECT_NE(r.out.find("cancel accepted"), std::string::npos) << r.out;
  const auto& messages = c->read_until_close();
  EXPECT_EQ(type_of(messages.back()), "failed");
  EXPECT_EQ(str_at(messages.back(), "data/reason"), "cancelled");
  const auto again =
      run_levain({"cancel", "--url", url, "--tenant", "bakery", "--job", job, "--token", tok});
  EXPECT_EQ(again.status.code, 1) << "a job already over cannot be cancelled";
}

}  // namespace
}  // namespace levain::integration
