#include "training/runner/runner.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cmath>

#include "common/ids.hpp"
#include "forecast/holidays.hpp"
#include "forecast/model.hpp"
#include "training/events/progress_tracker.hpp"
#include "training/progress/data_report.hpp"
#include "training/runner/runner_job.hpp"

namespace levain::training {

namespace net = boost::asio;

namespace {

// What a job that stopped on an exception ends with. A store that could not be reached (the
// database restarting, say) is for an operator to fix and for the user to retry; anything else
// is a bug to report.
std::string failure_reason(const std::exception& e) {
  if (dynamic_cast<const StoreError*>(&e) != nullptr) {
    return std::string("store unavailable, start the job again once it is back: ") + e.what();
  }
  return std::string("internal error: ") + e.what();
}

}  // namespace

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
      pool_(std::max(1u, config.train_threads)),
      replica_id_(config.replica_id.empty() ? common::new_uuid() : config.replica_id),
      heartbeat_thread_([this] { heartbeat_loop(); }) {}

JobRunner::~JobRunner() {
  shutdown("interrupted: server shutting down");
  pool_.join();
}

std::shared_ptr<JobRunner::Job> JobRunner::make_job(JobRecord record) {
  return std::make_shared<Job>(std::move(record), store_, bus_, events_published_);
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
  if (config_.max_concurrent_jobs == 0) return record;  // a training replica's sweep takes it
  // A new row has no lease yet: in the moment before this claim another replica's sweep may
  // take it, and then that replica runs it.
  if (!store_.claim_job(record.job_id, replica_id_, lease_until())) return record;
  auto job = make_job(record);
  std::lock_guard lock(mutex_);
  queue_locked(job);
  start_queued_locked();
  return record;
}

void JobRunner::queue_locked(const std::shared_ptr<Job>& job) {
  active_[job->id] = job;
  pending_.push_back(job);
  pending_gauge_.add();
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
  {
    std::lock_guard lock(mutex_);
    const auto it = active_.find(job_id);
    if (it != active_.end() && it->second->tenant == tenant) job = it->second;
  }
  if (job) {
    if (job->tracker.finished()) return CancelOutcome::already_finished;
    cancel_local(job);
    return CancelOutcome::accepted;
  }
  // Not ours: the owner (another replica) sees the flag on its next heartbeat; a job whose
  // owner died ends as cancelled when a replica takes it over.
  if (store_.request_cancel(tenant, job_id)) return CancelOutcome::accepted;
  const auto stored = store_.get_job(tenant, job_id);
  if (!stored) return CancelOutcome::not_found;
  return is_terminal(stored->status) ? CancelOutcome::already_finished : CancelOutcome::not_found;
}

void JobRunner::cancel_local(const std::shared_ptr<Job>& job) {
  bool was_pending = false;
  {
    std::lock_guard lock(mutex_);
    const auto p = std::find(pending_.begin(), pending_.end(), job);
    if (p != pending_.end()) {
      pending_.erase(p);
      pending_gauge_.sub();
      active_.erase(job->id);
      was_pending = true;
    }
  }
  job->cancelled = true;
  if (was_pending) {
    job->tracker.failed(JobStatus::cancelled, "cancelled by user");
    cancelled_total_.inc();
  }
}

void JobRunner::run(const std::shared_ptr<Job>& job) {
  try {
    if (job->cancelled) return finish(job);
    // Re-asserts the lease: a replica whose heartbeat could not reach the store for a whole
    // lease may have lost this job to another replica meanwhile.
    if (!store_.claim_job(job->id, replica_id_, lease_until())) {
      spdlog::warn("job {}: another replica took it over; not running it here", job->id);
      job->lost = true;
      return finish(job);
    }
    auto products = job->requested.empty() ? store_.list_products(job->tenant) : job->requested;
    job->tracker.started(static_cast<int>(products.size()));
    if (products.empty()) {
      job->tracker.failed(JobStatus::failed,
                          "no sales data for this bakery: upload a CSV before training");
      return finish(job);
    }
    // Data analysis: load every series once, so the fits only compute.
    std::size_t days = 0, observed = 0;
    std::vector<std::size_t> rows;
    job->series.reserve(products.size());
    rows.reserve(products.size());
    for (const auto& p : products) {
      auto s = store_.load_series(job->tenant, p);
      if (s) {
        days += s->y.size();
        observed += static_cast<std::size_t>(
            std::count_if(s->y.begin(), s->y.end(), [](double v) { return !std::isnan(v); }));
      }
      rows.push_back(s ? s->y.size() : 0);
      job->series.push_back(std::move(s));
    }
    // Zeros on holidays are the holiday: Spain's around the data, and the bakery's own.
    int first_year = 9999, last_year = 1;
    for (const auto& s : job->series) {
      if (!s || s->y.empty()) continue;
      const auto end = s->start + std::chrono::days(static_cast<long>(s->y.size()) - 1);
      first_year =
          std::min(first_year, static_cast<int>(std::chrono::year_month_day{s->start}.year()));
      last_year = std::max(last_year, static_cast<int>(std::chrono::year_month_day{end}.year()));
    }
    auto holidays = forecast::HolidayCalendar::spain(first_year, std::max(first_year, last_year));
    for (auto& h : store_.load_holidays(job->tenant)) job->tenant_holidays.add(h.date, h.name);
    for (const auto& h : job->tenant_holidays.entries()) holidays.add(h.date, h.name);
    auto report =
        data_report(products, job->series, store_.last_upload_quality(job->tenant), &holidays);
    const auto* first = report["first_date"].if_string();
    const auto* last = report["last_date"].if_string();
    job->tracker.analysed(
        fmt::format("Analysed {} products: {} daily observations ({} days with a gap){}",
                    products.size(), observed, days - observed,
                    first && last ? fmt::format(" from {} to {}", first->c_str(), last->c_str())
                                  : std::string()),
        std::move(report), products, std::move(rows), std::max(1u, config_.train_threads));
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
      job->tracker.failed(JobStatus::failed, failure_reason(e));
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
    job->tracker.product_started(index, series.product);
    try {
      if (series.y.empty()) throw std::runtime_error("no sales rows for this product");
      forecast::ModelOptions options;
      options.horizon_days = job->horizon_days;
      options.holdout_days = config_.holdout_days;
      // Spain's holidays are built in; the tenant's uploaded calendar (read once per job, in
      // the analysis) adds to them.
      options.extra_holidays = &job->tenant_holidays;
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
      job->tracker.product_completed(index, std::move(result));
    } catch (const std::exception& e) {
      spdlog::error("job {}: could not record a product: {}", job->id, e.what());
      job->stop_for_store(failure_reason(e));
    }
  }
  if (job->remaining.fetch_sub(1) == 1) finish(job);
}

void JobRunner::finish(const std::shared_ptr<Job>& job) {
  try {
    if (job->lost) {
      // Its end is the new owner's to publish.
    } else if (!job->tracker.finished()) {
      std::optional<std::string> stop_reason;
      {
        std::lock_guard lock(mutex_);
        stop_reason = stop_reason_;
      }
      if (auto store_failure = job->store_failure()) {
        job->tracker.failed(JobStatus::failed, *store_failure);
      } else if (stop_reason && job->cancelled) {
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
  if (!job->lost) {  // a lost job is counted by the replica that took it over
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
  }
  std::lock_guard lock(mutex_);
  active_.erase(job->id);
  --running_;
  running_gauge_.sub();
  start_queued_locked();
  idle_.notify_all();
}

void JobRunner::shutdown(const std::string& reason) {
  stop_heartbeat();
  std::vector<std::string> waiting;
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      stopping_ = true;
      stop_reason_ = reason;
      for (auto& [id, job] : active_) job->cancelled = true;
    }
    for (const auto& job : pending_) waiting.push_back(job->id);
  }
  // Waiting jobs stay pending; an expired lease lets the next replica to sweep run them.
  if (!waiting.empty()) {
    try {
      store_.renew_leases(replica_id_, waiting, 0);
    } catch (const std::exception& e) {
      spdlog::warn("could not release the leases of {} waiting jobs: {}", waiting.size(), e.what());
    }
  }
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [this] { return running_ == 0; });
}

}  // namespace levain::training
