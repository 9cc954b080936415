// Whole-job time: upload N products × D days into a real SQLite file, then run one job through
// the real JobRunner (analysis, parallel fits on --train-threads, per-event store writes and
// in-process publishing) until its `completed` event. Arguments: products, train threads, days.
#include <benchmark/benchmark.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <sstream>
#include <thread>

#include "bus/in_process_bus.hpp"
#include "common/ids.hpp"
#include "common/metrics.hpp"
#include "forecast/csv.hpp"
#include "forecast/demo_data.hpp"
#include "training/runner/runner.hpp"
#include "training/store/sqlite/store.hpp"

namespace {

using namespace levain;

void BM_WholeJob(benchmark::State& state) {
  const auto products = static_cast<int>(state.range(0));
  const auto threads = static_cast<unsigned>(state.range(1));
  const auto days = static_cast<int>(state.range(2));
  const auto dir = std::filesystem::temp_directory_path() / ("levain-bench-" + common::new_uuid());
  std::filesystem::create_directories(dir);
  bool products_ok = true;
  {
    training::SqliteStore store((dir / "bench.db").string());
    std::ostringstream csv;
    forecast::write_demo_csv(csv, {.products = products, .days = days, .seed = 11});
    const auto parsed = forecast::parse_sales_csv(csv.str());
    if (!parsed.fatal_error.empty()) {
      state.SkipWithError(("the demo data was refused: " + parsed.fatal_error).c_str());
      products_ok = false;
    }
    if (products_ok) store.upsert_sales("bench", parsed.regressor_names, parsed.rows);

    bus::InProcessBus bus;
    std::mutex m;
    std::condition_variable cv;
    std::size_t finished = 0;
    std::string failure;  // a job that fails ends the run with its reason, not a hang
    bus.subscribe("training.completed", [&](const bus::Message&) {
      std::lock_guard lock(m);
      ++finished;
      cv.notify_all();
    });
    bus.subscribe("training.failed", [&](const bus::Message& message) {
      std::lock_guard lock(m);
      failure = *message.body;
      ++finished;
      cv.notify_all();
    });
    common::MetricsRegistry metrics;
    training::RunnerConfig config;
    config.train_threads = threads;
    config.max_concurrent_jobs = 1;
    training::JobRunner runner(store, bus, metrics, config);
    for (auto _ : state) {
      const auto before = finished;
      runner.submit("bench", {}, 14);
      std::unique_lock lock(m);
      cv.wait(lock, [&] { return finished > before; });
      if (!failure.empty()) {
        state.SkipWithError(("the job failed: " + failure).c_str());
        break;
      }
    }
    state.counters["products_per_s"] =
        benchmark::Counter(static_cast<double>(products) * static_cast<double>(state.iterations()),
                           benchmark::Counter::kIsRate);
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_WholeJob)
    ->Args({60, 2, 3 * 365})
    ->Args({1000, 2, 3 * 365})
    ->Args({1000, 1, 3 * 365})
    // One year: 5,000 x 3 years is over an upload's 2,000,000-row limit.
    ->Args({5000, 2, 365})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
