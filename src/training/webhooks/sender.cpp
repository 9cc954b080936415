#include "training/webhooks/sender.hpp"

#include <spdlog/spdlog.h>

#include <random>

#include "cli/client/http.hpp"
#include "common/ids.hpp"

namespace levain::training::webhooks {
namespace {

// A lease outlives one POST (the timeout) by a wide margin, so a slow receiver is not tried
// twice at once; a dead replica's lease ends soon enough for another to go on.
constexpr std::chrono::seconds kLease{60};
constexpr std::size_t kBatch = 8;
constexpr std::size_t kMaxErrorBytes = 300;

std::int64_t micros(std::chrono::milliseconds d) { return d.count() * 1000; }

}  // namespace

Sender::Sender(Store& store, std::string replica_id, SenderConfig config,
               common::MetricsRegistry& metrics)
    : store_(store),
      replica_id_(std::move(replica_id)),
      config_(std::move(config)),
      allow_(config_.allow),
      delivered_(metrics.counter("levain_webhook_deliveries_total", "Webhook POSTs by outcome",
                                 R"(outcome="delivered")")),
      retried_(metrics.counter("levain_webhook_deliveries_total", "", R"(outcome="retry")")),
      gave_up_(metrics.counter("levain_webhook_deliveries_total", "", R"(outcome="failed")")) {}

Sender::~Sender() { stop(); }

void Sender::start() {
  thread_ = std::thread([this] { loop(); });
}

void Sender::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Sender::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    std::vector<WebhookDelivery> due;
    try {
      const auto now = common::now_micros();
      due = store_.claim_deliveries(replica_id_, now, now + kLease.count() * 1'000'000, kBatch);
    } catch (const std::exception& e) {
      spdlog::warn("webhooks: could not read the deliveries that are due: {}", e.what());
    }
    for (auto& d : due) {
      attempt(d);
      try {
        store_.finish_delivery(d, replica_id_);
      } catch (const std::exception& e) {
        // The lease runs out and the delivery is tried again: at least once, never lost.
        spdlog::warn("webhooks: could not record delivery {}: {}", d.id, e.what());
      }
    }
    lock.lock();
    if (due.size() == kBatch) continue;  // more may be due right now
    wake_.wait_for(lock, config_.poll, [this] { return stopping_; });
  }
}

void Sender::attempt(WebhookDelivery& d) {
  d.attempts += 1;
  d.last_attempt_us = common::now_micros();
  d.last_status = 0;
  std::string error;
  const auto url = parse_url(d.url, error);
  if (url && !allow_.allows(*url)) {
    error = "host '" + url->host + "' is not in --webhook-allow any more";
  }
  if (error.empty()) {
    const auto t = d.last_attempt_us / 1'000'000;
    try {
      const auto r = cli::http_request(cli::Endpoint{url->host, url->port, "", url->tls, ""},
                                       boost::beast::http::verb::post, url->target, d.body,
                                       "application/json", "", config_.timeout,
                                       {{"User-Agent", "levain-webhooks"},
                                        {"Accept", "*/*"},
                                        {"Levain-Signature", signature(d.secret, t, d.body)},
                                        {"Levain-Event", d.event},
                                        {"Levain-Delivery", d.id}});
      d.last_status = r.status;
      if (r.status >= 200 && r.status < 300) {
        d.status = "delivered";
        d.last_error.clear();
        delivered_.inc();
        return;
      }
      error = "HTTP " + std::to_string(r.status) + ": " + r.body.substr(0, kMaxErrorBytes);
    } catch (const std::exception& e) {
      error = e.what();
    }
  }
  d.last_error = error.substr(0, kMaxErrorBytes);
  if (d.attempts >= config_.attempts) {
    d.status = "failed";
    gave_up_.inc();
    spdlog::warn("webhooks: gave up on delivery {} to {} after {} attempts: {}", d.id, d.url,
                 d.attempts, d.last_error);
    return;
  }
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const double jitter = std::uniform_real_distribution<double>(0, 1)(rng);
  d.next_at_us = d.last_attempt_us + micros(retry_delay(d.attempts, config_.first_retry, jitter));
  retried_.inc();
}

}  // namespace levain::training::webhooks
