#include "common/metrics.hpp"

#include <gtest/gtest.h>

#include <thread>

using levain::common::MetricsRegistry;

TEST(Metrics, RendersPrometheusTextWithOneHelpPerFamily) {
  MetricsRegistry m;
  m.counter("levain_jobs_finished_total", "Jobs ended", R"(status="completed")").inc(3);
  m.counter("levain_jobs_finished_total", "", R"(status="failed")").inc();
  m.gauge("levain_ws_sessions", "Open sessions").set(7);
  const auto text = m.render();
  EXPECT_NE(text.find("# TYPE levain_jobs_finished_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("levain_jobs_finished_total{status=\"completed\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("levain_jobs_finished_total{status=\"failed\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("levain_ws_sessions 7\n"), std::string::npos);
  EXPECT_EQ(text.find("# HELP levain_jobs_finished_total"),
            text.rfind("# HELP levain_jobs_finished_total"));
}

TEST(Metrics, HistogramBucketsAreCumulative) {
  MetricsRegistry m;
  auto& h = m.histogram("levain_fit_seconds", "Fit time", {0.01, 0.1, 1});
  h.observe(0.005);
  h.observe(0.05);
  h.observe(0.05);
  h.observe(5);
  const auto text = m.render();
  EXPECT_NE(text.find("levain_fit_seconds_bucket{le=\"0.01\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("levain_fit_seconds_bucket{le=\"0.1\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("levain_fit_seconds_bucket{le=\"1\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("levain_fit_seconds_bucket{le=\"+Inf\"} 4\n"), std::string::npos);
  EXPECT_NE(text.find("levain_fit_seconds_count 4\n"), std::string::npos);
  EXPECT_NEAR(h.sum(), 5.105, 1e-6);
}

TEST(Metrics, CountersAreExactUnderConcurrency) {
  MetricsRegistry m;
  auto& c = m.counter("c", "c");
  std::vector<std::thread> ts;
  for (int i = 0; i < 4; ++i)
    ts.emplace_back([&] {
      for (int k = 0; k < 10000; ++k) c.inc();
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(c.value(), 40000u);
}

TEST(Metrics, ASampledGaugeIsReadAtEachRender) {
  MetricsRegistry m;
  std::int64_t value = 41;
  m.sampled_gauge("levain_heap_allocated_bytes", "Heap", [&] { return value; });
  EXPECT_NE(m.render().find("levain_heap_allocated_bytes 41\n"), std::string::npos);
  value = 42;
  EXPECT_NE(m.render().find("levain_heap_allocated_bytes 42\n"), std::string::npos);
}

TEST(Metrics, ASampledCounterIsACounterReadAtEachRender) {
  MetricsRegistry m;
  std::int64_t errors = 0;
  m.sampled_counter("levain_store_errors_total", "Store errors", [&] { return errors; });
  EXPECT_NE(m.render().find("# TYPE levain_store_errors_total counter\n"), std::string::npos);
  EXPECT_NE(m.render().find("levain_store_errors_total 0\n"), std::string::npos);
  errors = 3;
  EXPECT_NE(m.render().find("levain_store_errors_total 3\n"), std::string::npos);
}
