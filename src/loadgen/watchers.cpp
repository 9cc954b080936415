#include "loadgen/watchers.hpp"

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "common/timestamp.hpp"
#include "loadgen/pump.hpp"
#include "loadgen/ws_client.hpp"

namespace levain::loadgen {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr auto kStopGrace = std::chrono::seconds(15);

std::optional<tcp::endpoint> resolve(const WatchersConfig& config, std::string& error) {
  net::io_context ioc;
  tcp::resolver resolver(ioc);
  boost::system::error_code ec;
  const auto results = resolver.resolve(config.host, config.port, ec);
  if (ec || results.empty()) {
    error = "cannot resolve " + config.host + ":" + config.port + ": " +
            (ec ? ec.message() : "no address");
    return std::nullopt;
  }
  for (const auto& entry : results) {
    if (entry.endpoint().address().is_v4()) return entry.endpoint();
  }
  return results.begin()->endpoint();
}

class Engine final : public ClientEnv {
 public:
  Engine(const WatchersConfig& config, const WatcherHooks& hooks, tcp::endpoint server)
      : config_(config), hooks_(hooks), server_(std::move(server)) {}

  WatchersResult run() {
    const std::size_t n = static_cast<std::size_t>(config_.clients);
    const unsigned threads = std::max(1u, std::min<unsigned>(config_.threads, n));
    for (unsigned t = 0; t < threads; ++t) {
      contexts_.push_back(std::make_unique<net::io_context>(1));
      guards_.push_back(net::make_work_guard(*contexts_.back()));
    }
    clients_.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      std::optional<net::ip::address> source;
      if (config_.source_ips > 0) {
        const auto host = 1 + static_cast<std::uint32_t>(i % config_.source_ips);
        source = net::ip::make_address_v4((127u << 24) | host);
      }
      clients_.push_back(make_ws_client(*this, context_of(i), i, source));
    }
    ticker_.emplace(*contexts_.front());
    for (auto& ctx : contexts_) workers_.emplace_back([&ctx] { ctx->run(); });

    started_ = Clock::now();
    started_wall_us_ = common::wall_clock_us();
    WatchersResult result;
    result.started_wall_us = started_wall_us_;
    try {
      drive(result);
    } catch (const std::exception& e) {
      result.setup_error = e.what();
      stop_all("stopped: " + result.setup_error);
    }
    {
      std::unique_lock lock(mutex_);
      cv_.wait_until(lock, Clock::now() + kStopGrace, [&] { return ended_ == n; });
    }
    result.total_s = seconds_since_start();
    guards_.clear();
    for (auto& ctx : contexts_) ctx->stop();
    for (auto& worker : workers_) worker.join();
    for (auto& client : clients_) {
      result.clients.push_back(std::move(client->result()));
      auto& r = result.clients.back();
      if (!r.ledger.joined() && r.failure.empty()) r.failure = "did not end";
    }
    return result;
  }

  // ClientEnv
  const WatchersConfig& config() const override { return config_; }
  const tcp::endpoint& server() const override { return server_; }
  const std::string& target() const override { return target_; }
  std::int64_t started_wall_us() const override { return started_wall_us_; }
  void step_done() override { pump_.done(); }
  void connect_settled(std::size_t client, bool ok) override {
    std::lock_guard lock(mutex_);
    ++connect_settled_;
    if (ok) connected_.push_back(client);
    cv_.notify_all();
  }
  void join_settled() override {
    std::lock_guard lock(mutex_);
    ++join_settled_;
    cv_.notify_all();
  }
  void ended() override {
    std::lock_guard lock(mutex_);
    ++ended_;
    cv_.notify_all();
  }

 private:
  // The phases, on the caller's thread: connect, (prepare + upgrade), joined, the end.
  void drive(WatchersResult& result) {
    const std::size_t n = clients_.size();
    const bool upgrade_later = config_.target.empty();
    target_ = config_.target;
    std::vector<std::size_t> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = i;
    pump_.start(std::move(order), static_cast<std::size_t>(config_.max_in_flight),
                config_.connect_rate, [this, upgrade_later](std::size_t i) {
                  net::post(context_of(i),
                            [this, i, upgrade_later] { clients_[i]->connect(!upgrade_later); });
                });
    if (config_.connect_rate > 0) net::post(*contexts_.front(), [this] { tick(); });
    pump_.pump();

    if (!wait_for([&] { return connect_settled_ == n; })) return timed_out(result);
    result.connect_s = seconds_since_start();
    if (upgrade_later) {
      target_ = hooks_.prepare ? hooks_.prepare() : std::string();
      if (target_.empty()) throw std::runtime_error("no live target to upgrade to");
      std::vector<std::size_t> open;
      {
        std::lock_guard lock(mutex_);
        open = connected_;
      }
      std::sort(open.begin(), open.end());
      // target_ is written before these posts, which order it before every read of it.
      pump_.start(std::move(open), static_cast<std::size_t>(config_.max_in_flight), 0,
                  [this](std::size_t i) {
                    net::post(context_of(i), [this, i] { clients_[i]->upgrade(); });
                  });
      pump_.pump();
    }
    if (!wait_for([&] { return join_settled_ == n; })) return timed_out(result);
    result.join_s = seconds_since_start();
    if (hooks_.on_joined) hooks_.on_joined();

    if (config_.hold) {
      const auto until = std::min(config_.deadline, Clock::now() + *config_.hold);
      std::unique_lock lock(mutex_);
      if (cv_.wait_until(lock, until, [&] { return ended_ == n; })) return;
      lock.unlock();
      if (Clock::now() >= config_.deadline) return timed_out(result);
      return stop_all("closed after the hold");
    }
    if (!wait_for([&] { return ended_ == n; })) return timed_out(result);
  }

  template <class Predicate>
  bool wait_for(Predicate done) {
    std::unique_lock lock(mutex_);
    return cv_.wait_until(lock, config_.deadline, done);
  }

  void timed_out(WatchersResult& result) {
    result.timed_out = true;
    stop_all("not finished before the deadline");
  }

  void stop_all(const std::string& why) {
    pump_.stop();
    for (std::size_t i = 0; i < clients_.size(); ++i) {
      net::post(context_of(i), [this, i, why] { clients_[i]->stop(why); });
    }
  }

  // Paces a rate-limited pump: it only launches what is due when something calls it.
  void tick() {
    pump_.pump();
    if (pump_.all_launched()) return;
    ticker_->expires_after(std::chrono::milliseconds(1));
    ticker_->async_wait([this](boost::system::error_code ec) {
      if (!ec) tick();
    });
  }

  net::io_context& context_of(std::size_t client) { return *contexts_[client % contexts_.size()]; }

  double seconds_since_start() const {
    return std::chrono::duration<double>(Clock::now() - started_).count();
  }

  const WatchersConfig& config_;
  const WatcherHooks& hooks_;
  tcp::endpoint server_;
  std::string target_;
  Clock::time_point started_;
  std::int64_t started_wall_us_ = 0;
  Pump pump_;

  std::mutex mutex_;
  std::condition_variable cv_;
  std::size_t connect_settled_ = 0;
  std::size_t join_settled_ = 0;
  std::size_t ended_ = 0;
  std::vector<std::size_t> connected_;

  // Destroyed in reverse: threads are joined and clients (and their sockets) gone before the
  // io_contexts they use.
  std::vector<std::unique_ptr<net::io_context>> contexts_;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> guards_;
  std::optional<net::steady_timer> ticker_;
  std::vector<std::unique_ptr<WsClient>> clients_;
  std::vector<std::thread> workers_;
};

}  // namespace

WatchersResult run_watchers(const WatchersConfig& config, const WatcherHooks& hooks) {
  WatchersResult result;
  if (config.clients < 1) {
    result.setup_error = "at least one client is needed";
    return result;
  }
  auto server = resolve(config, result.setup_error);
  if (!server) return result;
  if (config.source_ips > 0 && !(server->address().is_v4() && server->address().is_loopback())) {
    result.setup_error = "source addresses 127.0.0.x only reach a loopback server, not " +
                         server->address().to_string();
    return result;
  }
  Engine engine(config, hooks, *server);
  return engine.run();
}

}  // namespace levain::loadgen
