#pragma once
/// The network I/O threads: one io_context per thread, each run by that thread alone. A
/// connection lives on one of them from accept to close (round robin), so everything it does is
/// serialised by its thread without a strand, and the live fan-out can hand an event to a thread
/// once and let it walk that thread's watchers inline (training/live/shard_delivery.hpp), instead
/// of one post (and a cross-thread wake-up) per watcher. Work that spans connections (timers of
/// the whole process, the acceptor) runs on context 0 under a strand.

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <cstddef>
#include <memory>
#include <thread>
#include <vector>

namespace levain::common {

class IoPool {
 public:
  explicit IoPool(unsigned threads);
  ~IoPool();
  IoPool(const IoPool&) = delete;
  IoPool& operator=(const IoPool&) = delete;

  std::size_t size() const { return contexts_.size(); }
  boost::asio::io_context& context(std::size_t i) { return *contexts_[i]; }
  /// The context a new connection goes to.
  boost::asio::io_context& next();
  /// Which of the contexts `executor` runs on (size() when none: not one of this pool's).
  std::size_t index_of(const boost::asio::any_io_executor& executor) const;

  /// Starts the threads (once). Each context keeps running until stop(), with or without work.
  void run();
  /// Stops every context and joins the threads; handlers not run yet are dropped.
  void stop();

 private:
  using Guard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
  /// An io_context whose services can be shut down before any context is destroyed.
  struct Context : boost::asio::io_context {
    using boost::asio::io_context::io_context;
    void shut_down() { shutdown(); }
  };
  std::vector<std::unique_ptr<Context>> contexts_;
  std::vector<Guard> guards_;
  std::vector<std::thread> threads_;
  std::atomic<std::size_t> next_{0};
};

}  // namespace levain::common
