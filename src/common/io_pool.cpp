#include "common/io_pool.hpp"

#include <algorithm>
#include <boost/asio/any_io_executor.hpp>

namespace levain::common {

namespace net = boost::asio;

IoPool::IoPool(unsigned threads) {
  const unsigned n = std::max(1u, threads);
  contexts_.reserve(n);
  guards_.reserve(n);
  for (unsigned i = 0; i < n; ++i) {
    // Hint 1: each context is run by one thread only, so Asio may skip some locking.
    contexts_.push_back(std::make_unique<Context>(1));
    guards_.push_back(net::make_work_guard(*contexts_.back()));
  }
}

IoPool::~IoPool() {
  stop();
  // A handler still queued on one context may own a socket of another (a proxied exchange holds
  // the client's session). Destroying the contexts one by one would free the second's socket
  // service before the first's abandoned handlers close that socket: so every context drops its
  // pending handlers first, while all services still exist, and only then are they destroyed.
  for (auto& c : contexts_) c->shut_down();
}

net::io_context& IoPool::next() {
  return *contexts_[next_.fetch_add(1, std::memory_order_relaxed) % contexts_.size()];
}

std::size_t IoPool::index_of(const net::any_io_executor& executor) const {
  // A strand or any other wrapper is not one of the pool's bare executors: no shard.
  const auto* bare = executor.target<net::io_context::executor_type>();
  if (bare == nullptr) return contexts_.size();
  for (std::size_t i = 0; i < contexts_.size(); ++i) {
    if (&bare->context() == contexts_[i].get()) return i;
  }
  return contexts_.size();
}

void IoPool::run() {
  if (!threads_.empty()) return;
  for (auto& c : contexts_) threads_.emplace_back([&ioc = *c] { ioc.run(); });
}

void IoPool::stop() {
  for (auto& g : guards_) g.reset();
  for (auto& c : contexts_) c->stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

}  // namespace levain::common
