// The max_rate promise as a property test: over random event streams and random rates, the fold
// of what a coalesced watcher is sent equals the fold of every event, every milestone arrives
// unchanged and in order, seq strictly increases, and summaries paced by the rate are at least
// 1/R seconds apart.
#include "training/live/rate_coalescer.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <random>
#include <string>
#include <vector>

using namespace levain::training;
namespace json = boost::json;

namespace {

struct Event {
  std::uint64_t seq;
  std::string type;
  json::object data;
  double at_s;
};

// What a client keeps of a job: the latest state keys and every product in order.
struct Fold {
  std::uint64_t seq = 0;
  json::object state;
  std::vector<std::string> products;
  void apply_event(const Event& e) {
    seq = e.seq;
    for (const char* key : {"progress", "products_completed", "eta_s", "in_flight", "summary"}) {
      if (const auto* v = e.data.if_contains(key)) state[key] = *v;
    }
    if (e.type == "product_completed") {
      products.push_back(std::string(e.data.at("product_name").as_string()));
    }
  }
  void apply_summary(std::uint64_t s, const json::object& data) {
    seq = s;
    for (const char* key : {"progress", "products_completed", "eta_s", "in_flight", "summary"}) {
      if (const auto* v = data.if_contains(key)) state[key] = *v;
    }
    for (const auto& p : data.at("products").as_array()) {
      products.push_back(std::string(p.as_object().at("product_name").as_string()));
    }
  }
  bool operator==(const Fold&) const = default;
};

std::vector<Event> random_job(std::mt19937& rng, int products) {
  std::vector<Event> events;
  double t = 0;
  std::uint64_t seq = 0;
  std::exponential_distribution<double> gap(200.0);  // ~5 ms between products, bursty
  std::bernoulli_distribution fails(0.05);
  events.push_back({++seq, "started", {{"progress", 0}, {"eta_s", nullptr}}, t});
  events.push_back({++seq, "progress", {{"progress", 20}, {"report", json::object{}}}, t += 0.01});
  for (int i = 1; i <= products; ++i) {
    t += gap(rng);
    const bool failed = fails(rng);
    json::object data{{"product_name", "p" + std::to_string(i)},
                      {"status", failed ? "failed" : "succeeded"},
                      {"progress", 20 + i * 60 / products},
                      {"products_completed", i},
                      {"eta_s", (products - i) * 0.005},
                      {"in_flight", json::array{"p" + std::to_string(i + 1)}},
                      {"summary", json::object{{"failed", 0}}},
                      {"metrics", json::object{{"mase", 0.8}}}};
    events.push_back({++seq, "product_completed", std::move(data), t});
  }
  events.push_back({++seq, "completed", {{"progress", 100}, {"eta_s", 0.0}}, t + 0.001});
  return events;
}

TEST(RateCoalescer, FoldEqualsTheFullFoldMilestonesIntactSeqIncreasingRateHeld) {
  std::mt19937 rng(20261202);
  for (int trial = 0; trial < 200; ++trial) {
    const double rate = std::uniform_real_distribution<double>(0.2, 50.0)(rng);
    const auto events = random_job(rng, std::uniform_int_distribution<int>(0, 400)(rng));
    RateCoalescer<std::size_t> coalescer(rate);  // items: indexes into `events`
    Fold full, folded;
    std::vector<std::uint64_t> milestones_in, milestones_out;
    std::uint64_t last_seq = 0;
    std::optional<double> last_paced;
    std::vector<RateCoalescer<std::size_t>::Out> out;
    auto take = [&](const std::vector<Event>& by_seq) {
      for (auto& o : out) {
        ASSERT_GT(o.seq, last_seq) << "trial " << trial;
        last_seq = o.seq;
        if (o.summary) {
          std::vector<const json::object*> data;
          for (const auto i : o.items) data.push_back(&by_seq[i].data);
          EXPECT_EQ(by_seq[o.items.back()].seq, o.seq) << "a summary carries its last event's seq";
          folded.apply_summary(o.seq, summary_data(data));
        } else {
          const auto& e = by_seq[o.items.front()];
          folded.apply_event(e);
          milestones_out.push_back(e.seq);
        }
      }
      out.clear();
    };
    // Time advances event by event; the timer fires at due() whenever that comes first.
    for (const auto& e : events) {
      while (const auto due = coalescer.due()) {
        if (*due > e.at_s) break;
        const auto before = out.size();
        coalescer.tick(*due, out);
        ASSERT_GT(out.size(), before) << "a due summary must go out when its time comes";
        if (last_paced) {
          EXPECT_GE(*due + 1e-9, *last_paced + 1 / rate) << "trial " << trial;
        }
        last_paced = *due;
        take(events);
      }
      full.apply_event(e);
      const bool can_fold = foldable(e.type, e.data);
      if (!can_fold) milestones_in.push_back(e.seq);
      const auto before = out.size();
      coalescer.event(e.seq, can_fold, static_cast<std::size_t>(e.seq - 1), e.at_s, out);
      // A summary sent on arrival (not before a milestone) is paced too.
      if (can_fold && out.size() > before) {
        if (last_paced) {
          EXPECT_GE(e.at_s + 1e-9, *last_paced + 1 / rate) << "trial " << trial;
        }
        last_paced = e.at_s;
      }
      take(events);
    }
    EXPECT_FALSE(coalescer.due()) << "completed flushes what is pending";
    EXPECT_EQ(folded, full) << "trial " << trial << " rate " << rate;
    EXPECT_EQ(milestones_out, milestones_in) << "trial " << trial;
  }
}

TEST(RateCoalescer, OneProductAJobAtOneMessageASecondCostsOneSummaryASecond) {
  RateCoalescer<int> c(1.0);
  std::vector<RateCoalescer<int>::Out> out;
  // 1,000 products over 10 s: one every 10 ms.
  for (int i = 1; i <= 1000; ++i) {
    const double t = i * 0.01;
    while (c.due() && *c.due() <= t) c.tick(*c.due(), out);
    c.event(static_cast<std::uint64_t>(i), true, i, t, out);
  }
  while (c.due()) c.tick(*c.due(), out);
  EXPECT_LE(out.size(), 11u);  // 10 s of job: one at the first product, then one a second
  std::size_t products = 0;
  for (const auto& o : out) products += o.items.size();
  EXPECT_EQ(products, 1000u);
}

TEST(RateCoalescer, AFailedProductIsAMilestoneAndFlushesWhatWaits) {
  EXPECT_FALSE(foldable("product_completed", {{"status", "failed"}}));
  EXPECT_TRUE(foldable("product_completed", {{"status", "succeeded"}}));
  EXPECT_FALSE(foldable("progress", {{"status", "succeeded"}}));
  RateCoalescer<int> c(1.0);
  std::vector<RateCoalescer<int>::Out> out;
  c.event(1, true, 1, 0.0, out);   // sent: the first
  c.event(2, true, 2, 0.1, out);   // waits
  c.event(3, false, 3, 0.2, out);  // a failure: flush 2, then 3
  ASSERT_EQ(out.size(), 3u);
  EXPECT_TRUE(out[0].summary);
  EXPECT_EQ(out[1].seq, 2u);
  EXPECT_TRUE(out[1].summary);
  EXPECT_EQ(out[2].seq, 3u);
  EXPECT_FALSE(out[2].summary);
  EXPECT_FALSE(c.due());
}

TEST(RateCoalescer, ASummaryTakesTheLatestStateAndEveryProduct) {
  const json::object a{{"product_name", "A"},
                       {"status", "succeeded"},
                       {"progress", 30},
                       {"eta_s", 9.0},
                       {"metrics", json::object{{"mase", 1.0}}}};
  const json::object b{{"product_name", "B"},
                       {"status", "succeeded"},
                       {"progress", 40},
                       {"eta_s", 7.5},
                       {"in_flight", json::array{"C"}}};
  const auto d = summary_data({&a, &b});
  EXPECT_EQ(d.at("progress"), 40);
  EXPECT_EQ(d.at("eta_s"), 7.5);
  EXPECT_EQ(json::serialize(d.at("in_flight")), R"(["C"])");
  EXPECT_EQ(json::serialize(d.at("products")),
            R"([{"product_name":"A","status":"succeeded","metrics":{"mase":1E0}},)"
            R"({"product_name":"B","status":"succeeded"}])");
}

}  // namespace
