#include "webhook_receiver.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cctype>

namespace levain::integration {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

struct WebhookReceiver::Impl {
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
  int failures;
  std::mutex mutex;
  std::condition_variable arrived;
  std::vector<ReceivedHook> got;
  std::atomic<bool> stopping{false};
  std::thread thread;

  void serve() {
    while (!stopping) {
      tcp::socket socket(ioc);
      boost::system::error_code ec;
      acceptor.accept(socket, ec);
      if (ec || stopping) return;
      boost::beast::flat_buffer buffer;
      http::request<http::string_body> req;
      http::read(socket, buffer, req, ec);
      if (ec) continue;
      ReceivedHook hook;
      hook.target = std::string(req.target());
      for (const auto& field : req) {
        std::string name(field.name_string());
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        hook.headers[name] = std::string(field.value());
      }
      hook.body = req.body();
      {
        std::lock_guard lock(mutex);
        hook.answered = static_cast<int>(got.size()) < failures ? 500 : 204;
        got.push_back(hook);
      }
      http::response<http::string_body> res{
          hook.answered == 500 ? http::status::internal_server_error : http::status::no_content,
          11};
      if (hook.answered == 500) res.body() = "not now";
      res.keep_alive(false);
      res.prepare_payload();
      http::write(socket, res, ec);
      socket.shutdown(tcp::socket::shutdown_both, ec);
      arrived.notify_all();
    }
  }
};

WebhookReceiver::WebhookReceiver(int failures) : impl_(std::make_unique<Impl>()) {
  impl_->failures = failures;
  const tcp::endpoint at(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(at.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(at);
  impl_->acceptor.listen();
  port_ = impl_->acceptor.local_endpoint().port();
  impl_->thread = std::thread([this] { impl_->serve(); });
}

WebhookReceiver::~WebhookReceiver() {
  impl_->stopping = true;
  // Wake the blocking accept with a connection of our own.
  boost::system::error_code ec;
  tcp::socket poke(impl_->ioc);
  poke.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ec);
  impl_->thread.join();
}

std::vector<ReceivedHook> WebhookReceiver::wait_for(std::size_t n, int seconds) {
  std::unique_lock lock(impl_->mutex);
  impl_->arrived.wait_for(lock, std::chrono::seconds(seconds),
                          [&] { return impl_->got.size() >= n; });
  return impl_->got;
}

}  // namespace levain::integration
