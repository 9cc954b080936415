#pragma once
/// Delivers job endings to the tenants' webhooks (docs/webhooks.md). Every delivery and attempt
/// lives in the store: a replica leases the deliveries that are due, POSTs each (signed), and
/// records the outcome, so a retry survives a restart and runs on one replica at a time. A
/// replica that dies mid-POST loses its lease and another tries again: delivery is at least
/// once, and `Levain-Delivery` lets a receiver drop a repeat.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/metrics.hpp"
#include "training/store/store.hpp"
#include "training/webhooks/webhook.hpp"

namespace levain::training::webhooks {

struct SenderConfig {
  std::vector<std::string> allow;  // --webhook-allow: hosts and CIDR blocks URLs may name
  int attempts = 6;                // then the delivery is `failed`
  std::chrono::milliseconds first_retry{std::chrono::seconds(20)};  // doubles per attempt
  std::chrono::seconds timeout{10};                                 // one POST, connect to answer
  std::chrono::milliseconds poll{1000};
};

class Sender {
 public:
  Sender(Store& store, std::string replica_id, SenderConfig config,
         common::MetricsRegistry& metrics);
  ~Sender();
  Sender(const Sender&) = delete;
  Sender& operator=(const Sender&) = delete;

  void start();
  /// Finishes the POST under way (bounded by the timeout) and stops; idempotent.
  void stop();

 private:
  void loop();
  void attempt(WebhookDelivery& delivery);

  Store& store_;
  std::string replica_id_;
  SenderConfig config_;
  AllowList allow_;
  common::Counter& delivered_;
  common::Counter& retried_;
  common::Counter& gave_up_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace levain::training::webhooks
