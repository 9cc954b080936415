// The gateway's hop to a replica (our client side of RFC 6455) against Beast's *server* on a
// loopback socket, an implementation we did not write: the upgrade with the relay's headers,
// messages both ways (ours masked, or Beast refuses them), the frames that came with the 101,
// pings answered, closes both ways, a replica that answers the upgrade wrongly, and one that
// never answers at all.
#include "gateway/replica_link.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/ws/frame_writer.hpp"
#include "common/ws/handshake.hpp"

namespace levain::gateway {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

struct Recorder : ReplicaLink::Events {
  bool opened = false;
  std::optional<std::string> failed;
  std::vector<std::string> messages;
  int batches = 0;
  std::optional<std::optional<websocket::close_reason>> closed;
  void on_link_open() override { opened = true; }
  void on_link_failed(const char* step, beast::error_code) override { failed = step; }
  void on_link_message(std::string_view m, bool) override { messages.emplace_back(m); }
  void on_link_batch_end() override { ++batches; }
  void on_link_closed(const std::optional<websocket::close_reason>& peer,
                      beast::error_code) override {
    closed = peer;
  }
};

class ReplicaLinkTest : public ::testing::Test {
 protected:
  ReplicaLinkTest() {
    acceptor_.open(tcp::v4());
    acceptor_.bind({net::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    limits_.idle_timeout = std::chrono::seconds(600);
  }

  bool run_until(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      ioc_.restart();
      ioc_.run_for(std::chrono::milliseconds(10));
    }
    return true;
  }

  void connect() {
    link_.emplace(ioc_.get_executor(), limits_);
    link_->connect(acceptor_.local_endpoint(), "replica-1", "/live?x=1",
                   {{"Authorization", "Bearer t"}, {"X-Request-Id", "r-1"}},
                   std::chrono::milliseconds(5000), events_, owner_);
  }

  /// Beast's server accepts the upgrade (seeing the request first), then sends `first` at once.
  void accept(const std::vector<std::string>& first = {}) {
    bool accepted = false;
    acceptor_.async_accept(server_.next_layer().socket(), [&](beast::error_code ec) {
      ASSERT_FALSE(ec);
      accepted = true;
    });
    connect();
    ASSERT_TRUE(run_until([&] { return accepted; }));
    bool upgraded = false;
    beast::http::async_read(server_.next_layer(), server_buffer_, request_,
                            [&](beast::error_code ec, std::size_t) {
                              ASSERT_FALSE(ec) << ec.message();
                              server_.async_accept(request_, [&](beast::error_code ec) {
                                ASSERT_FALSE(ec) << ec.message();
                                for (const auto& m : first) server_.write(net::buffer(m));
                                upgraded = true;
                              });
                            });
    ASSERT_TRUE(run_until([&] { return upgraded && events_.opened; }));
  }

  /// A hand-made replica on `peer`: it reads the upgrade request and answers it with the 101
  /// `answer_for` makes of the request, and what follows in the same write.
  void raw_replica(
      tcp::socket& peer,
      const std::function<std::string(const beast::http::request<beast::http::empty_body>&)>&
          answer_for) {
    acceptor_.async_accept(peer, [](beast::error_code) {});
    connect();
    ASSERT_TRUE(run_until([&] { return peer.is_open(); }));
    beast::flat_buffer buffer;
    beast::http::request<beast::http::empty_body> req;
    bool read = false;
    beast::http::async_read(peer, buffer, req,
                            [&](beast::error_code, std::size_t) { read = true; });
    ASSERT_TRUE(run_until([&] { return read; }));
    net::write(peer, net::buffer(answer_for(req)));
  }

  static std::string valid_101(const beast::http::request<beast::http::empty_body>& req) {
    return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Accept: " +
           common::ws::accept_key(req[beast::http::field::sec_websocket_key]) + "\r\n\r\n";
  }

  void server_reads() {
    server_.async_read(server_buffer_, [this](beast::error_code ec, std::size_t) {
      if (ec) {
        server_end_ = ec;
        return;
      }
      server_got_.push_back(beast::buffers_to_string(server_buffer_.data()));
      server_buffer_.consume(server_buffer_.size());
      server_reads();
    });
  }

  net::io_context ioc_;
  tcp::acceptor acceptor_{ioc_};
  common::live::Limits limits_;
  Recorder events_;
  std::shared_ptr<int> owner_ = std::make_shared<int>(0);
  std::optional<ReplicaLink> link_;
  websocket::stream<beast::tcp_stream> server_{ioc_};
  beast::flat_buffer server_buffer_;
  beast::http::request<beast::http::string_body> request_;
  std::vector<std::string> server_got_;
  std::optional<beast::error_code> server_end_;
};

TEST_F(ReplicaLinkTest, TheUpgradeCarriesTheRelaysHeadersAndTheFirstFramesArrive) {
  accept({"snapshot", "event 1"});
  EXPECT_EQ(request_.target(), "/live?x=1");
  EXPECT_EQ(request_[beast::http::field::host], "replica-1");
  EXPECT_EQ(request_[beast::http::field::authorization], "Bearer t");
  EXPECT_EQ(request_["X-Request-Id"], "r-1");
  link_->start_reading();
  ASSERT_TRUE(run_until([&] { return events_.messages.size() == 2; }));
  EXPECT_EQ(events_.messages, (std::vector<std::string>{"snapshot", "event 1"}));
  EXPECT_GE(events_.batches, 1);
}

TEST_F(ReplicaLinkTest, MessagesGoBothWaysAndPingsAreAnswered) {
  accept();
  link_->start_reading();
  server_reads();
  // Beast's server refuses unmasked client frames: getting this at all means it was masked.
  ASSERT_TRUE(link_->send("{\"type\":\"ping\"}", true));
  ASSERT_TRUE(run_until([&] { return server_got_.size() == 1; }));
  EXPECT_EQ(server_got_[0], "{\"type\":\"ping\"}");

  bool pong = false;
  server_.control_callback([&](websocket::frame_type kind, beast::string_view payload) {
    if (kind == websocket::frame_type::pong && payload == "p") pong = true;
  });
  server_.async_ping("p", [](beast::error_code) {});
  const std::string big(200000, 'x');  // a 64-bit length, in many reads
  server_.async_write(net::buffer(big), [](beast::error_code, std::size_t) {});
  ASSERT_TRUE(run_until([&] { return pong && events_.messages.size() == 1; }));
  EXPECT_EQ(events_.messages[0], big);
}

TEST_F(ReplicaLinkTest, TheReplicasCloseReachesTheOwnerWithItsCode) {
  accept();
  link_->start_reading();
  bool closed = false;
  server_.async_close(websocket::close_reason(websocket::close_code::normal, "job completed"),
                      [&](beast::error_code ec) { closed = !ec; });
  ASSERT_TRUE(run_until([&] { return closed && events_.closed.has_value(); }));
  ASSERT_TRUE(events_.closed->has_value());
  EXPECT_EQ((*events_.closed)->code, websocket::close_code::normal);
  EXPECT_EQ((*events_.closed)->reason, "job completed");
  EXPECT_FALSE(link_->send("late", true));
}

TEST_F(ReplicaLinkTest, OurCloseIsAnsweredAndEndsTheLink) {
  accept();
  link_->start_reading();
  server_reads();
  link_->close(websocket::close_reason(websocket::close_code::going_away, "client went away"));
  ASSERT_TRUE(run_until([&] { return server_end_.has_value() && events_.closed.has_value(); }));
  EXPECT_EQ(*server_end_, websocket::error::closed);
  EXPECT_EQ(server_.reason().code, websocket::close_code::going_away);
  ASSERT_TRUE(events_.closed->has_value()) << "the replica's answer to our close";
}

TEST_F(ReplicaLinkTest, AWrongAcceptKeyIsAFailedHandshake) {
  tcp::socket peer(ioc_);
  raw_replica(peer, [](const auto&) {
    return std::string(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n");
  });
  ASSERT_TRUE(run_until([&] { return events_.failed.has_value(); }));
  EXPECT_EQ(*events_.failed, "handshake");
  EXPECT_FALSE(events_.opened);
}

TEST_F(ReplicaLinkTest, FramesInTheSameWriteAsThe101AreReadFirst) {
  // One write: the 101 and two frames, so the link's upgrade read takes the frames with it.
  tcp::socket peer(ioc_);
  raw_replica(peer, [](const auto& req) {
    return valid_101(req) + std::string(common::ws::frame_header(0x1, 8).view()) + "snapshot" +
           std::string(common::ws::frame_header(0x1, 7).view()) + "event 1";
  });
  ASSERT_TRUE(run_until([&] { return events_.opened; }));
  EXPECT_TRUE(events_.messages.empty()) << "nothing is given before start_reading()";
  link_->start_reading();
  ASSERT_TRUE(run_until([&] { return events_.messages.size() == 2; }));
  EXPECT_EQ(events_.messages, (std::vector<std::string>{"snapshot", "event 1"}));
  EXPECT_GE(events_.batches, 1);
}

TEST_F(ReplicaLinkTest, FramesThatCameBeforeStartReadingAreReadWithoutMoreFromTheReplica) {
  // The frames arrive after the 101 and before start_reading(), while the relay still answers
  // its client, so the reactor sees them with no wait queued. Then the replica falls silent,
  // as a killed one does after its FIN: nothing later may be needed to read them.
  tcp::socket peer(ioc_);
  raw_replica(peer, valid_101);
  ASSERT_TRUE(run_until([&] { return events_.opened; }));
  net::write(peer, net::buffer(std::string(common::ws::frame_header(0x1, 8).view()) + "snapshot"));
  peer.shutdown(tcp::socket::shutdown_send);
  ioc_.restart();
  ioc_.run_for(std::chrono::milliseconds(100));  // the edge comes and goes
  EXPECT_TRUE(events_.messages.empty());
  link_->start_reading();
  ASSERT_TRUE(run_until([&] { return events_.closed.has_value(); }));
  EXPECT_EQ(events_.messages, (std::vector<std::string>{"snapshot"}));
}

TEST_F(ReplicaLinkTest, ABurstOverOneWakeUpsBoundIsReadToTheEnd) {
  // 3 MiB in 48 messages, then silence: the link reads 1 MiB per wake-up, and the wake-ups
  // after the first must not need bytes the replica will never send.
  tcp::socket peer(ioc_);
  raw_replica(peer, valid_101);
  ASSERT_TRUE(run_until([&] { return events_.opened; }));
  link_->start_reading();
  const std::string payload(64 * 1024, 'x');
  std::string burst;
  for (int i = 0; i < 48; ++i) {
    burst += common::ws::frame_header(0x2, payload.size()).view();
    burst += payload;
  }
  std::thread writer([&] { net::write(peer, net::buffer(burst)); });
  const bool all = run_until([&] { return events_.messages.size() == 48; });
  writer.join();
  ASSERT_TRUE(all) << events_.messages.size() << " of 48";
  EXPECT_GE(events_.batches, 3) << "one batch per wake-up of at most 1 MiB";
}

TEST_F(ReplicaLinkTest, AReplicaThatBreaksTheProtocolIsClosedWith1002AndLost) {
  // A hand-made replica: a valid 101, then a masked frame, which no server may send.
  tcp::socket peer(ioc_);
  raw_replica(peer, valid_101);
  ASSERT_TRUE(run_until([&] { return events_.opened; }));
  link_->start_reading();
  net::write(peer, net::buffer(common::ws::masked_frame(0x1, "hi", {1, 2, 3, 4})));
  // What the link answers: a close with 1002, then it waits for the replica to end TCP.
  std::string got;
  std::array<char, 64> chunk{};
  peer.non_blocking(true);
  ASSERT_TRUE(run_until([&] {
    beast::error_code ec;
    const auto n = peer.read_some(net::buffer(chunk), ec);
    got.append(chunk.data(), n);
    return got.size() >= 8;  // a masked close header (6 bytes) and the 2-byte code
  }));
  EXPECT_EQ(static_cast<unsigned char>(got[0]), 0x88u);
  const auto code = static_cast<unsigned char>(got[6] ^ got[2]) << 8 |
                    static_cast<unsigned char>(got[7] ^ got[3]);
  EXPECT_EQ(code, 1002);
  peer.close();
  ASSERT_TRUE(run_until([&] { return events_.closed.has_value(); }));
  EXPECT_FALSE(events_.closed->has_value()) << "a broken replica is lost, not closed";
}

TEST_F(ReplicaLinkTest, AReplicaThatNeverAnswersTheUpgradeTimesOut) {
  limits_.handshake_timeout = std::chrono::seconds(1);
  tcp::socket peer(ioc_);
  acceptor_.async_accept(peer, [](beast::error_code) {});
  connect();
  ASSERT_TRUE(run_until([&] { return events_.failed.has_value(); }));
  EXPECT_EQ(*events_.failed, "handshake");
}

}  // namespace
}  // namespace levain::gateway
