// The one sender over a real loopback socket, through the SSE framing (no handshake to run
// first): the byte bound, 1008 with the queue dropped, the close after the drain, and the gauge
// and the delivered counter once the peer took everything.
#include "common/live/sender.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <memory>
#include <string>

#include "common/live/sse_framing.hpp"

namespace levain::common::live {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using Framing = SseFraming<boost::beast::tcp_stream>;

// What the sender tells its transport's owner: only the cut matters here.
struct Events : TransportEvents {
  int cuts = 0;
  void on_open() override {}
  void on_gone(const std::optional<boost::beast::websocket::close_reason>&) override {}
  void on_cut() override { ++cuts; }
};

struct Pair {
  net::io_context ioc;
  tcp::socket peer{ioc};
  std::unique_ptr<Sender<Framing>> sender;
  Gauge queued;
  Counter slow;
  Counter delivered;
  std::shared_ptr<int> owner = std::make_shared<int>(0);
  Events events;

  explicit Pair(std::size_t limit) {
    tcp::acceptor acceptor(ioc, {net::ip::make_address("127.0.0.1"), 0});
    peer.connect(acceptor.local_endpoint());
    tcp::socket server(ioc);
    acceptor.accept(server);
    // Small kernel buffers, so the queue fills after a few messages.
    server.set_option(net::socket_base::send_buffer_size(4096));
    peer.set_option(net::socket_base::receive_buffer_size(4096));
    Limits limits;
    limits.send_queue_bytes = limit;
    sender = std::make_unique<Sender<Framing>>(limits, SenderMetrics{queued, slow, &delivered},
                                               boost::beast::tcp_stream(std::move(server)),
                                               std::chrono::seconds(5));
    sender->attach(owner, events);
  }

  /// Everything the peer receives until the server ends the stream.
  std::string read_all() {
    std::string all;
    boost::system::error_code ec;
    char buf[65536];
    while (!ec) {
      ioc.poll();
      const auto n = peer.read_some(net::buffer(buf), ec);
      all.append(buf, n);
    }
    peer.close();  // what a reader does at the end: the server's teardown sees it
    ioc.run();     // the close's teardown and timers finish
    return all;
  }
};

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(Sender, CloseAfterDrainSendsEverythingThenTheCloseEvent) {
  Pair p(1 << 20);
  for (std::uint64_t seq = 1; seq <= 3; ++seq) {
    EXPECT_EQ(p.sender->send(R"({"seq":)" + std::to_string(seq) + "}", {seq, "progress"}, true),
              Sent::sent);
  }
  p.sender->close(1000, "job completed", /*drain=*/true);
  EXPECT_TRUE(p.sender->closing());
  EXPECT_EQ(p.sender->send("{}", {4, "progress"}), Sent::closing);  // closing: nothing more
  const auto all = p.read_all();
  EXPECT_EQ(all,
            "id: 1\nevent: progress\ndata: {\"seq\":1}\n\n"
            "id: 2\nevent: progress\ndata: {\"seq\":2}\n\n"
            "id: 3\nevent: progress\ndata: {\"seq\":3}\n\n"
            "event: close\ndata: {\"code\":1000,\"reason\":\"job completed\"}\n\n");
  EXPECT_EQ(p.delivered.value(), 3u);
  EXPECT_EQ(p.queued.value(), 0);
  EXPECT_EQ(p.events.cuts, 0);
}

TEST(Sender, OverTheBoundTheQueueIsDroppedAndThePeerGets1008) {
  Pair p(64 * 1024);
  const std::string big(16 * 1024, 'x');
  Sent last = Sent::sent;
  std::uint64_t sent = 0;
  while (last == Sent::sent && sent < 100000) {
    last = p.sender->send(big, {sent + 1, "progress"}, true);
    if (last == Sent::sent) ++sent;
  }
  ASSERT_EQ(last, Sent::over_limit);
  EXPECT_GT(p.queued.value(), 0);
  EXPECT_LE(static_cast<std::size_t>(p.queued.value()), 64 * 1024 + big.size() + 64);
  EXPECT_EQ(p.slow.value(), 1u);
  EXPECT_EQ(p.events.cuts, 1);
  EXPECT_EQ(p.sender->send(big, {sent + 2, "progress"}), Sent::closing);
  const auto all = p.read_all();
  // Whole messages only, fewer than were queued, then the close with 1008.
  const auto messages = count(all, "event: progress\n");
  EXPECT_LT(messages, sent);
  EXPECT_EQ(count(all, "\n\n"), messages + 1);
  const std::string close =
      "event: close\ndata: {\"code\":1008,\"reason\":\"slow consumer: send queue over 65536 "
      "bytes\"}\n\n";
  ASSERT_GE(all.size(), close.size());
  EXPECT_EQ(all.substr(all.size() - close.size()), close);
  EXPECT_EQ(p.delivered.value(), messages);
  p.sender.reset();
  EXPECT_EQ(p.queued.value(), 0);
}

TEST(Sender, ACloseAtOnceOverridesOneWaitingForTheQueue) {
  Pair p(1 << 20);
  const std::string big(16 * 1024, 'x');
  for (std::uint64_t seq = 1; p.queued.value() == 0 && seq < 1000; ++seq) {
    ASSERT_EQ(p.sender->send(big, {seq, "progress"}), Sent::sent);
    p.sender->flush();
  }
  ASSERT_GT(p.queued.value(), 0);  // the peer is behind: a drained close would wait
  p.sender->close(1000, "job completed", true);
  p.sender->close(1001, "server shutting down", false);
  p.sender->close(1011, "ignored: already closing", false);
  const auto all = p.read_all();
  EXPECT_NE(all.find("\"code\":1001"), std::string::npos) << all;
  EXPECT_EQ(all.find("\"code\":1000"), std::string::npos) << all;
  EXPECT_EQ(all.find("\"code\":1011"), std::string::npos) << all;
}

}  // namespace
}  // namespace levain::common::live
