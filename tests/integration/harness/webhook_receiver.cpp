#include "webhook_receiver.hpp"

#include "local_http_server.hpp"

namespace levain::integration {

struct WebhookReceiver::Impl {
  int failures;
  std::mutex mutex;
  std::condition_variable arrived;
  std::vector<ReceivedHook> got;
  std::unique_ptr<LocalHttpServer> server;

  LocalReply answer(const LocalRequest& request) {
    ReceivedHook hook{request.target, request.headers, request.body, 0};
    {
      std::lock_guard lock(mutex);
      hook.answered = static_cast<int>(got.size()) < failures ? 500 : 204;
      got.push_back(hook);
    }
    arrived.notify_all();
    return hook.answered == 500 ? LocalReply{500, "not now", "text/plain"}
                                : LocalReply{204, "", ""};
  }
};

WebhookReceiver::WebhookReceiver(int failures) : impl_(std::make_unique<Impl>()) {
  impl_->failures = failures;
  impl_->server = std::make_unique<LocalHttpServer>(
      [impl = impl_.get()](const LocalRequest& request) { return impl->answer(request); });
  port_ = impl_->server->port();
}

WebhookReceiver::~WebhookReceiver() { impl_->server.reset(); }

std::vector<ReceivedHook> WebhookReceiver::wait_for(std::size_t n, int seconds) {
  std::unique_lock lock(impl_->mutex);
  impl_->arrived.wait_for(lock, std::chrono::seconds(seconds),
                          [&] { return impl_->got.size() >= n; });
  return impl_->got;
}

}  // namespace levain::integration
