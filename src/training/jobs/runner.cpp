#include "training/jobs/runner.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cmath>

#include "common/ids.hpp"
#include "forecast/dates.hpp"
#include "forecast/model.hpp"
#include "training/events/progress_tracker.hpp"

namespace levain::training {

namespace net = boost::asio;

struct JobRunner::Job {
  Job(JobRecord record, Store& store, bus::EventBus& bus, common::Counter& published)
      : id(record.job_id),
        tenant(record.tenant_id),
        requested(record.requested_products),
        horizon_days(record.horizon_days),
        tracker(std::move(record), store, bus, published) {}

  const std::string id;
  const std::string tenant;
  const std::vector<std::string> requested;
  const int horizon_days;
  ProgressTracker tracker;
  std::atomic<bool> cancelled{false};
  std::vector<std::optional<forecast::Series>> series;  // written by run(), read by the fits
  std::atomic<std::size_t> remaining{0};
};

JobRunner::JobRunner(Store& store, bus::EventBus& bus, common::MetricsRegistry& metrics,
                     RunnerConfig config)
    : store_(store),
      bus_(bus),
      config_(config),
      events_published_(
          metrics.counter("levain_events_published_total", "Training events published")),
      pending_gauge_(
          metrics.gauge("levain_jobs", "Jobs on this replica by status", R"(status="pending")")),
      running_gauge_(metrics.gauge("levain_jobs", "", R"(status="running")")),
      completed_total_(metrics.counter("levain_jobs_finished_total", "Jobs ended, by status",
                                       R"(status="completed")")),
      failed_total_(metrics.counter("levain_jobs_finished_total", "", R"(status="failed")")),
      cancelled_total_(metrics.counter("levain_jobs_finished_total", "", R"(status="cancelled")")),
      fit_seconds_(metrics.histogram("levain_fit_seconds", "Time to fit one product's model",
                                     {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1})),
      pool_(std::max(1u, config.train_threads)) {}

JobRunner::~JobRunner() {
  shutdown("interrupted: server shutting down");
  pool_.join();
}

std::shared_ptr<JobRunner::Job> JobRunner::make_job(JobRecord record) {
  return std::make_shared<Job>(std::move(record), store_, bus_, events_published_);
}

void JobRunner::recover() {
  for (auto& record : store_.unfinished_jobs()) {
    auto job = make_job(record);
    if (record.status == JobStatus::running) {
      spdlog::warn("job {} was running when the service stopped: marking it failed", record.job_id);
      job->tracker.failed(JobStatus::failed, "interrupted by restart");
      failed_total_.inc();
      continue;
    }
    std::lock_guard lock(mutex_);
    active_[job->id] = job;
    pending_.push_back(job);
    pending_gauge_.add();
  }
  std::lock_guard lock(mutex_);
  start_queued_locked();
}

JobRecord JobRunner::submit(const std::string& tenant, std::vector<std::string> products,
                            int horizon_days) {
  JobRecord record;
  record.job_id = common::new_uuid();
  record.tenant_id = tenant;
  record.horizon_days = horizon_days;
  record.requested_products = std::move(products);
  record.created_at_us = common::now_micros();
  record.current_step = "Queued";
  store_.create_job(record);
  auto job = make_job(record);
  std::lock_guard lock(mutex_);
  active_[job->id] = job;
  pending_.push_back(job);
  pending_gauge_.add();
  start_queued_locked();
  return record;
}

void JobRunner::start_queued_locked() {
  while (!stopping_ && running_ < config_.max_concurrent_jobs && !pending_.empty()) {
    auto job = pending_.front();
    pending_.pop_front();
    pending_gauge_.sub();
    ++running_;
    running_gauge_.add();
    net::post(pool_, [this, job] { run(job); });
  }
}

CancelOutcome JobRunner::cancel(const std::string& tenant, const std::string& job_id) {
  std::shared_ptr<Job> job;
  bool was_pending = false;
  {
    std::lock_guard lock(mutex_);
    const auto it = active_.find(job_id);
    if (it != active_.end() && it->second->tenant == tenant) {
      job = it->second;
      const auto p = std::find(pending_.begin(), pending_.end(), job);
      if (p != pending_.end()) {
        pending_.erase(p);
        pending_gauge_.sub();
        active_.erase(it);
        was_pending = true;
      }
    }
  }
  if (!job) {
    const auto stored = store_.get_job(tenant, job_id);
    if (!stored) return CancelOutcome::not_found;
    return is_terminal(stored->status) ? CancelOutcome::already_finished : CancelOutcome::not_found;
  }
  if (job->tracker.finished()) return CancelOutcome::already_finished;
  job->cancelled = true;
  if (was_pending) {
    job->tracker.failed(JobStatus::cancelled, "cancelled by user");
    cancelled_total_.inc();
  }
  return CancelOutcome::accepted;
}

void JobRunner::run(const std::shared_ptr<Job>& job) {
  try {
    if (job->cancelled) return finish(job);
    auto products = job->requested.empty() ? store_.list_products(job->tenant) : job->requested;
    job->tracker.started(static_cast<int>(products.size()));
    if (products.empty()) {
      job->tracker.failed(JobStatus::failed,
                          "no sales data for this bakery: upload a CSV before training");
      return finish(job);
    }
    // Data analysis: load every series once, so the fits only compute.
    std::size_t days = 0, observed = 0;
    std::optional<forecast::Date> first, last;
    job->series.reserve(products.size());
    for (const auto& p : products) {
      auto s = store_.load_series(job->tenant, p);
      if (s) {
        days += s->y.size();
        observed += static_cast<std::size_t>(
            std::count_if(s->y.begin(), s->y.end(), [](double v) { return !std::isnan(v); }));
        const auto end = s->start + std::chrono::days(static_cast<long>(s->y.size()) - 1);
        if (!first || s->start < *first) first = s->start;
        if (!last || end > *last) last = end;
      }
      job->series.push_back(std::move(s));
    }
    job->tracker.analysed(
        fmt::format("Analysed {} products: {} daily observations ({} days with a gap){}",
                    products.size(), observed, days - observed,
                    first ? fmt::format(" from {} to {}", forecast::format_iso_date(*first),
                                        forecast::format_iso_date(*last))
                          : std::string()));
    job->remaining = products.size();
    for (std::size_t i = 0; i < products.size(); ++i) {
      if (!job->series[i]) {
        job->series[i] = forecast::Series{};
        job->series[i]->product = products[i];
      }
      net::post(pool_, [this, job, i] { fit_product(job, i); });
    }
  } catch (const std::exception& e) {
    spdlog::error("job {}: {}", job->id, e.what());
    try {
      job->tracker.failed(JobStatus::failed, std::string("internal error: ") + e.what());
    } catch (const std::exception& e2) {
      spdlog::error("job {}: could not record its failure: {}", job->id, e2.what());
    }
    finish(job);
  }
}

void JobRunner::fit_product(const std::shared_ptr<Job>& job, std::size_t index) {
  if (!job->cancelled) {
    auto& series = *job->series[index];
    ProductResult result;
    result.product = series.product;
    try {
      if (series.y.empty()) throw std::runtime_error("no sales rows for this product");
      forecast::ModelOptions options;
      options.horizon_days = job->horizon_days;
      options.holdout_days = config_.holdout_days;
      const auto t0 = std::chrono::steady_clock::now();
      auto report = forecast::fit_and_forecast(series, options);
      fit_seconds_.observe(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      result.status = "succeeded";
      result.model = report.model;
      result.fallback = report.fallback;
      result.fallback_reason = report.fallback_reason;
      result.metrics = report.holdout;
      result.fit_ms = report.fit_ms;
      store_.save_model(
          {job->tenant, series.product, job->id, std::move(report), common::now_micros()});
    } catch (const std::exception& e) {
      result.status = "failed";
      result.error = e.what();
    }
    series = forecast::Series{};  // the history is not needed any more: free it now
    try {
      job->tracker.product_completed(std::move(result));
    } catch (const std::exception& e) {
      spdlog::error("job {}: could not record a product: {}", job->id, e.what());
      job->cancelled = true;
    }
  }
  if (job->remaining.fetch_sub(1) == 1) finish(job);
}

void JobRunner::finish(const std::shared_ptr<Job>& job) {
  try {
    if (!job->tracker.finished()) {
      std::optional<std::string> stop_reason;
      {
        std::lock_guard lock(mutex_);
        stop_reason = stop_reason_;
      }
      if (stop_reason && job->cancelled) {
        job->tracker.failed(JobStatus::failed, *stop_reason);
      } else if (job->cancelled) {
        job->tracker.failed(JobStatus::cancelled, "cancelled by user");
      } else {
        job->tracker.completed();
      }
    }
  } catch (const std::exception& e) {
    spdlog::error("job {}: could not record its end: {}", job->id, e.what());
  }
  switch (job->tracker.snapshot().status) {
    case JobStatus::completed:
      completed_total_.inc();
      break;
    case JobStatus::cancelled:
      cancelled_total_.inc();
      break;
    default:
      failed_total_.inc();
  }
  std::lock_guard lock(mutex_);
  active_.erase(job->id);
  --running_;
  running_gauge_.sub();
  start_queued_locked();
  idle_.notify_all();
}

void JobRunner::shutdown(const std::string& reason) {
  std::unique_lock lock(mutex_);
  if (!stopping_) {
    stopping_ = true;
    stop_reason_ = reason;
    for (auto& [id, job] : active_) job->cancelled = true;
  }
  idle_.wait(lock, [this] { return running_ == 0; });
}

}  // namespace levain::training
