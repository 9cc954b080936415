#pragma once
/// A real HTTP server on 127.0.0.1 (port 0) that plays a tenant's webhook endpoint: it answers
/// the first `failures` POSTs with 500 and the rest with 204, and keeps every request it got.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace levain::integration {

struct ReceivedHook {
  std::string target;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  int answered = 0;  // the status it was given
};

class WebhookReceiver {
 public:
  explicit WebhookReceiver(int failures);
  ~WebhookReceiver();
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  std::uint16_t port() const { return port_; }
  /// Waits (up to `seconds`) until `n` requests have come; returns what came.
  std::vector<ReceivedHook> wait_for(std::size_t n, int seconds = 120);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::uint16_t port_ = 0;
};

}  // namespace levain::integration
