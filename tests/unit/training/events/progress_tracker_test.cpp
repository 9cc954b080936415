#include "training/events/progress_tracker.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <filesystem>
#include <mutex>
#include <thread>

#include "bus/in_process_bus.hpp"
#include "common/ids.hpp"
#include "common/metrics.hpp"
#include "training/store/sqlite/store.hpp"

using namespace levain;
using namespace levain::training;

TEST(ProgressFormula, FollowsTheContract) {
  EXPECT_EQ(progress_for(0, 60), 20);
  EXPECT_EQ(progress_for(15, 60), 35);
  EXPECT_EQ(progress_for(60, 60), 80);
  EXPECT_EQ(progress_for(1, 3), 40);
  EXPECT_EQ(progress_for(2, 3), 60);
  EXPECT_EQ(progress_for(1, 7), 28);  // floored, never rounded up past the truth
  EXPECT_EQ(progress_for(99, 60), 80);
  EXPECT_EQ(progress_for(0, 0), 20);
}

class TrackerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("levain-tracker-" + common::new_uuid());
    std::filesystem::create_directories(dir_);
    store_ = std::make_unique<SqliteStore>((dir_ / "t.db").string());
    bus_.subscribe("training.#", [this](const bus::Message& m) {
      std::lock_guard lock(mutex_);
      messages_.push_back(boost::json::parse(*m.body).as_object());
      keys_.push_back(m.routing_key);
    });
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  JobRecord new_job() {
    JobRecord r;
    r.job_id = common::new_uuid();
    r.tenant_id = "bakery";
    r.created_at_us = common::now_micros();
    store_->create_job(r);
    return r;
  }

  std::filesystem::path dir_;
  std::unique_ptr<SqliteStore> store_;
  bus::InProcessBus bus_;
  common::MetricsRegistry metrics_;
  std::mutex mutex_;
  std::vector<boost::json::object> messages_;
  std::vector<std::string> keys_;
};

TEST_F(TrackerTest, ConcurrentCompletionsGiveConsecutiveSeqAndMonotoneProgress) {
  constexpr int kProducts = 64;
  const auto job = new_job();
  ProgressTracker tracker(job, *store_, bus_, metrics_.counter("p", "p"));
  tracker.started(kProducts);
  std::vector<std::string> names;
  for (int i = 0; i < kProducts; ++i) names.push_back("p" + std::to_string(i));
  tracker.analysed("ok", {{"products", kProducts}}, names, std::vector<std::size_t>(kProducts, 100),
                   4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < kProducts; i += 4) {
        ProductResult r;
        r.product = "p" + std::to_string(i);
        r.status = "succeeded";
        r.metrics.mase = 1.0 + i;
        tracker.product_started(static_cast<std::size_t>(i), r.product);
        tracker.product_completed(static_cast<std::size_t>(i), r);
      }
    });
  }
  for (auto& th : threads) th.join();
  tracker.completed();

  ASSERT_EQ(messages_.size(), static_cast<std::size_t>(kProducts + 3));
  std::int64_t last_progress = -1;
  for (std::size_t i = 0; i < messages_.size(); ++i) {
    const auto& m = messages_[i];
    EXPECT_EQ(m.at("seq").to_number<std::uint64_t>(), i + 1);
    const auto progress = m.at("data").at("progress").to_number<std::int64_t>();
    EXPECT_GE(progress, last_progress);
    last_progress = progress;
    // Every event from `started` on says how long the job has run, how long it has left and
    // what is being fitted: at most one product per thread.
    const auto& data = m.at("data").as_object();
    EXPECT_TRUE(data.at("elapsed_s").is_number()) << i;
    EXPECT_TRUE(data.contains("eta_s")) << i;
    EXPECT_LE(data.at("in_flight").as_array().size(), 4u) << i;
    if (m.at("type") == "product_completed") {
      const auto done = m.at("data").at("products_completed").to_number<int>();
      EXPECT_EQ(progress, progress_for(done, kProducts));
      EXPECT_EQ(keys_[i], "training.product.completed");
      EXPECT_TRUE(data.at("eta_s").is_number()) << "known from the first product on";
      EXPECT_EQ(data.at("summary").at("failed"), 0);
      EXPECT_EQ(data.at("duration_ms"), 0);
    }
  }
  EXPECT_TRUE(messages_.front().at("data").at("eta_s").is_null()) << "nothing measured yet";
  EXPECT_EQ(messages_[1].at("data").at("report").at("products"), kProducts);
  // The analysis names the products the threads take first.
  EXPECT_EQ(boost::json::serialize(messages_[1].at("data").at("in_flight")),
            R"(["p0","p1","p2","p3"])");
  const auto& done = messages_.back().at("data").as_object();
  EXPECT_EQ(done.at("eta_s").to_number<double>(), 0.0);
  EXPECT_TRUE(done.at("in_flight").as_array().empty());
  EXPECT_EQ(done.at("summary").at("worst").as_array().front().at("product_name"), "p63");
  ASSERT_EQ(done.at("eta_error").as_array().size(), 4u);
  EXPECT_EQ(done.at("eta_error").as_array().front().at("at_percent"), 10);
  EXPECT_EQ(messages_.front().at("type"), "started");
  EXPECT_EQ(messages_[1].at("data").at("progress"), 20);
  EXPECT_EQ(messages_.back().at("type"), "completed");
  EXPECT_EQ(messages_.back().at("data").at("progress"), 100);
  EXPECT_EQ(messages_.back().at("data").at("successful_trainings"), kProducts);

  // The store holds exactly what the last event said: a snapshot is never behind the bus.
  const auto stored = store_->get_job("bakery", job.job_id);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->seq, static_cast<std::uint64_t>(kProducts + 3));
  EXPECT_EQ(stored->status, JobStatus::completed);
  EXPECT_EQ(stored->results.size(), static_cast<std::size_t>(kProducts));
  EXPECT_EQ(stored->live.at("report").at("products"), kProducts);
  EXPECT_EQ(stored->live.at("summary"), done.at("summary"));
  EXPECT_EQ(stored->live.at("eta_error"), done.at("eta_error"));
}

TEST_F(TrackerTest, NothingIsPublishedAfterTheJobEnded) {
  ProgressTracker tracker(new_job(), *store_, bus_, metrics_.counter("p", "p"));
  tracker.started(2);
  tracker.failed(JobStatus::cancelled, "cancelled by user");
  ProductResult late;
  late.product = "late";
  late.status = "succeeded";
  tracker.product_completed(0, late);
  tracker.completed();
  tracker.failed(JobStatus::failed, "again");
  ASSERT_EQ(messages_.size(), 2u);
  EXPECT_EQ(messages_.back().at("type"), "failed");
  EXPECT_EQ(messages_.back().at("data").at("reason"), "cancelled");
  EXPECT_EQ(tracker.snapshot().status, JobStatus::cancelled);
}

TEST_F(TrackerTest, EventEnvelopeMatchesTheContract) {
  const auto job = new_job();
  ProgressTracker tracker(job, *store_, bus_, metrics_.counter("p", "p"));
  tracker.started(3);
  ASSERT_EQ(messages_.size(), 1u);
  const auto& m = messages_.front();
  EXPECT_EQ(m.at("job_id").as_string(), job.job_id);
  EXPECT_EQ(m.at("tenant_id"), "bakery");
  EXPECT_EQ(m.at("data").at("total_products"), 3);
  const auto ts = std::string(m.at("timestamp").as_string());
  // 2026-11-27T12:34:56.789123Z: microseconds, UTC.
  ASSERT_EQ(ts.size(), 27u) << ts;
  EXPECT_EQ(ts[10], 'T');
  EXPECT_EQ(ts[19], '.');
  EXPECT_EQ(ts.back(), 'Z');
}

TEST(EventHeader, ParsesWhatTheBuilderWritesAndRejectsTheRest) {
  const auto body = encode_message({"completed", "j1", "t1", 42, 0}, {{"progress", 100}});
  const auto h = parse_event_header(body);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->job_id, "j1");
  EXPECT_EQ(h->seq, 42u);
  EXPECT_TRUE(h->terminal);
  EXPECT_FALSE(parse_event_header("not json"));
  EXPECT_FALSE(parse_event_header("[]"));
  EXPECT_FALSE(parse_event_header(R"({"job_id":"j","type":"progress","seq":-1})"));
  EXPECT_FALSE(parse_event_header(R"({"job_id":1,"type":"progress","seq":1})"));
}
