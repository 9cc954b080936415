#pragma once
/// Drives one asynchronous Asio/Beast operation to completion on the calling thread, with a
/// deadline that may move (the watcher pushes it forward on every frame). Async ops plus this loop
/// give the CLI synchronous control flow with real timeouts, which blocking Asio calls lack.

#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>

namespace levain::cli::detail {

/// Handler handed to `start`: records the first argument (the error code) and ignores the rest.
struct Completion {
  bool* done;
  boost::system::error_code* result;
  template <class... Rest>
  void operator()(boost::system::error_code ec, Rest&&...) const {
    *result = ec;
    *done = true;
  }
};

/// Calls start(Completion), then runs `ioc` until the operation completes. When deadline() passes
/// first, calls cancel() (which must make the operation complete, e.g. by closing the socket) and
/// returns beast::error::timeout.
template <class Start, class Deadline, class Cancel>
boost::system::error_code run_until(boost::asio::io_context& ioc, Start&& start,
                                    Deadline&& deadline, Cancel&& cancel) {
  bool done = false;
  bool timed_out = false;
  boost::system::error_code result;
  start(Completion{&done, &result});
  ioc.restart();
  while (!done) {
    if (!timed_out && std::chrono::steady_clock::now() >= deadline()) {
      timed_out = true;
      cancel();
    }
    const std::size_t ran = timed_out ? ioc.run_one() : ioc.run_one_until(deadline());
    if (ran == 0 && ioc.stopped()) break;  // out of work: the handler can no longer run
  }
  if (timed_out) return boost::beast::error::timeout;
  if (!done) return boost::asio::error::operation_aborted;
  return result;
}

}  // namespace levain::cli::detail
