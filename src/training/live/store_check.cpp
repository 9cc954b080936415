#include "training/live/store_check.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

namespace levain::training {

namespace {
constexpr auto kTick = std::chrono::seconds(1);
}

StoreCheck::StoreCheck(ConnectionManager& manager, boost::asio::any_io_executor executor, Load load,
                       common::MetricsRegistry& metrics)
    : manager_(manager),
      timer_(boost::asio::make_strand(executor)),
      load_(std::move(load)),
      checks_(metrics.counter("levain_live_store_checks_total",
                              "Watched jobs read from the store after a quiet interval, for "
                              "events the bus never brought")),
      ahead_(metrics.counter("levain_live_store_ahead_total",
                             "Store checks that found a job past what the bus brought (its events "
                             "late, or lost with their publisher); its watchers here read a fresh "
                             "snapshot")) {}

StoreCheck::~StoreCheck() { stop(); }

void StoreCheck::start() {
  running_ = true;
  boost::asio::post(timer_.get_executor(), [this] { tick(); });
}

void StoreCheck::stop() {
  if (!running_.exchange(false)) return;
  boost::asio::post(timer_.get_executor(), [this] { timer_.cancel(); });
}

void StoreCheck::tick() {
  if (!running_) return;
  for (auto& q : manager_.quiet_jobs(QuietJobs::Clock::now(), kPerTick)) {
    checks_.inc();
    load_(q.tenant, q.job_id,
          [this, job_id = q.job_id, tenant = q.tenant](std::optional<JobRecord> job,
                                                       std::exception_ptr error) {
            if (error || !running_) return;  // the next interval reads it again
            checked(job_id, tenant, job);
          });
  }
  timer_.expires_after(kTick);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec && running_) tick();
  });
}

void StoreCheck::checked(const std::string& job_id, const std::string& tenant,
                         const std::optional<JobRecord>& job) {
  if (!job || !manager_.store_at(job_id, job->seq)) return;
  ahead_.inc();
  spdlog::info(
      "live: job {} of tenant {} is at seq {} in the store, past what the bus brought here (its "
      "events late, or lost with their publisher); its watchers here read a fresh snapshot",
      job_id, tenant, job->seq);
}

}  // namespace levain::training
