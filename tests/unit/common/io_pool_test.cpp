#include "common/io_pool.hpp"

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <future>
#include <set>
#include <thread>

namespace levain::common {
namespace {

namespace net = boost::asio;

TEST(IoPool, ConnectionsGoRoundRobinAndEachContextHasItsOwnThread) {
  IoPool pool(3);
  EXPECT_EQ(pool.size(), 3u);
  EXPECT_EQ(&pool.next(), &pool.context(0));
  EXPECT_EQ(&pool.next(), &pool.context(1));
  EXPECT_EQ(&pool.next(), &pool.context(2));
  EXPECT_EQ(&pool.next(), &pool.context(0));
  pool.run();
  std::set<std::thread::id> threads;
  for (std::size_t i = 0; i < pool.size(); ++i) {
    std::promise<std::thread::id> id;
    net::post(pool.context(i), [&] { id.set_value(std::this_thread::get_id()); });
    threads.insert(id.get_future().get());
  }
  EXPECT_EQ(threads.size(), 3u);
  pool.stop();
  pool.stop();  // twice is harmless
}

TEST(IoPool, KnowsItsOwnExecutorsAndNoOthers) {
  IoPool pool(2);
  EXPECT_EQ(pool.index_of(pool.context(0).get_executor()), 0u);
  EXPECT_EQ(pool.index_of(pool.context(1).get_executor()), 1u);
  // A strand is not a bare executor of the pool (a session on it would not be on one thread).
  EXPECT_EQ(pool.index_of(net::make_strand(pool.context(1))), pool.size());
  // What a live session asks: the executor of a socket accepted onto one of the contexts.
  net::ip::tcp::socket socket(pool.context(1));
  EXPECT_EQ(pool.index_of(socket.get_executor()), 1u);
  net::io_context other;
  EXPECT_EQ(pool.index_of(other.get_executor()), pool.size());
}

TEST(IoPool, ContextsRunWithoutWorkUntilStopped) {
  IoPool pool(1);
  pool.run();
  std::this_thread::yield();
  std::promise<void> ran;
  net::post(pool.context(0), [&] { ran.set_value(); });  // the thread did not return early
  ran.get_future().get();
  pool.stop();
}

// A handler left queued on one context may own a socket of another (the gateway's proxied
// exchange holds the client's session): tearing the pool down must not close that socket after
// its context's services are gone (ASan caught it on a gateway stopped mid-request).
TEST(IoPool, AQueuedHandlerOwningAnotherContextsSocketIsDroppedSafely) {
  auto pool = std::make_unique<IoPool>(2);
  auto socket = std::make_shared<net::ip::tcp::socket>(pool->context(0));
  socket->open(net::ip::tcp::v4());
  net::post(pool->context(1), [socket] { socket->close(); });
  socket.reset();  // only the queued handler owns it now
  pool.reset();    // never run: the handler is abandoned, and with it the socket
  SUCCEED();
}

}  // namespace
}  // namespace levain::common
