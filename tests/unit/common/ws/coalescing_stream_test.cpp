// The coalescing layer under a real server websocket::stream, against a plain Beast client on a
// loopback socket: what the client reads is the contract (whole frames, in order, close codes).
// Every test runs over both ways of sending: non-blocking sends (a tcp_stream) and one
// async_write at a time (any other stream, as TLS; here a TCP stream of another type).
#include "common/ws/coalescing_stream.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

using levain::common::ws::CoalescingStream;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

namespace {

// A message whose bytes tell where it belongs: a reordered, cut or merged frame shows.
std::string message(std::size_t index, std::size_t size) {
  std::string text = "#" + std::to_string(index) + ":";
  while (text.size() < size) text += static_cast<char>('a' + (text.size() + index) % 26);
  text.resize(size);
  return text;
}

// A TCP stream that is not a tcp_stream: the layer sends through it with async_write.
using OtherTcpStream = beast::basic_stream<tcp, net::any_io_executor, beast::simple_rate_policy>;

template <class NextLayer>
class CoalescingStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    acceptor_.open(tcp::v4());
    acceptor_.bind({net::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
  }

  /// Connects a client and upgrades both ends. `tiny_buffers`: small kernel buffers both ways,
  /// so a client that does not read soon makes the server's sends come back short.
  void connect(bool tiny_buffers = false) {
    tcp::socket accepted(ioc_);
    bool done_accept = false;
    acceptor_.async_accept(accepted, [&](beast::error_code ec) {
      ASSERT_FALSE(ec) << ec.message();
      done_accept = true;
    });
    auto& client_socket = beast::get_lowest_layer(client_).socket();
    client_socket.open(tcp::v4());
    if (tiny_buffers) client_socket.set_option(net::socket_base::receive_buffer_size(4096));
    client_socket.connect(acceptor_.local_endpoint());
    ASSERT_TRUE(run_until([&] { return done_accept; }));
    if (tiny_buffers) accepted.set_option(net::socket_base::send_buffer_size(4096));

    server_.emplace(NextLayer(std::move(accepted)));
    server_->text(true);
    server_->auto_fragment(false);
    bool accepted_ws = false, handshaken = false;
    server_->async_accept([&](beast::error_code ec) {
      ASSERT_FALSE(ec) << ec.message();
      server_->next_layer().start_frames();
      accepted_ws = true;
    });
    client_.async_handshake("127.0.0.1", "/", [&](beast::error_code ec) {
      ASSERT_FALSE(ec) << ec.message();
      handshaken = true;
    });
    ASSERT_TRUE(run_until([&] { return accepted_ws && handshaken; }));
  }

  /// Runs the event loop until `done` holds; false if it did not within a generous deadline
  /// (a hang must fail the test, not stall the suite).
  bool run_until(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      ioc_.restart();
      ioc_.run_for(std::chrono::milliseconds(10));
    }
    return true;
  }

  /// The client reads every message until the connection ends, then records why.
  void read_all() {
    client_.async_read(client_buffer_, [this](beast::error_code ec, std::size_t) {
      if (ec) {
        client_end_ = ec;
        return;
      }
      received_.push_back(beast::buffers_to_string(client_buffer_.data()));
      client_buffer_.consume(client_buffer_.size());
      read_all();
    });
  }

  std::size_t write(const std::string& text) {
    beast::error_code ec;
    server_->write(net::buffer(text), ec);
    EXPECT_FALSE(ec) << ec.message();
    return text.size();
  }

  /// Runs what is ready now: a write the kernel took completes, one it refused does not.
  void settle() {
    ioc_.restart();
    ioc_.poll();
  }

  CoalescingStream<NextLayer>& layer() { return server_->next_layer(); }

  /// The server closes with 1008 and the peer reads again: it gets whole frames, a prefix of
  /// `sent` in order, then the close.
  void expect_prefix_then_1008(const std::vector<std::string>& sent) {
    bool closed = false;
    server_->async_close(websocket::close_reason(websocket::close_code::policy_error, "slow"),
                         [&](beast::error_code) { closed = true; });
    read_all();
    ASSERT_TRUE(run_until([&] { return client_end_.has_value() && closed; }));
    EXPECT_EQ(*client_end_, websocket::error::closed);
    EXPECT_EQ(client_.reason().code, websocket::close_code::policy_error);
    ASSERT_FALSE(received_.empty());
    ASSERT_LE(received_.size(), sent.size());
    for (std::size_t i = 0; i < received_.size(); ++i) ASSERT_EQ(received_[i], sent[i]) << i;
  }

  net::io_context ioc_;
  tcp::acceptor acceptor_{ioc_};
  websocket::stream<beast::tcp_stream> client_{ioc_};
  std::optional<websocket::stream<CoalescingStream<NextLayer>>> server_;
  beast::flat_buffer client_buffer_;
  std::vector<std::string> received_;
  std::optional<beast::error_code> client_end_;
};

using NextLayers = ::testing::Types<beast::tcp_stream, OtherTcpStream>;
TYPED_TEST_SUITE(CoalescingStreamTest, NextLayers);

TYPED_TEST(CoalescingStreamTest, FramesOfManyWritesArriveWholeAndInOrderFromOneFlush) {
  this->connect();
  // Every header size (7-bit, 16-bit, 64-bit lengths) and a frame Beast hands over in pieces.
  const std::vector<std::size_t> sizes = {0, 1, 125, 126, 127, 65535, 65536, 70000, 300000, 525};
  std::vector<std::string> sent;
  for (std::size_t i = 0; i < 200; ++i) {
    sent.push_back(message(i, sizes[i % sizes.size()]));
    this->write(sent.back());
    this->layer().tag_last_frame();
  }
  EXPECT_GT(this->layer().pending_bytes(), 0u) << "writes only append; flush() sends";
  this->layer().flush();
  this->read_all();
  ASSERT_TRUE(this->run_until([&] { return this->received_.size() == sent.size(); }));
  EXPECT_EQ(this->received_, sent);
  EXPECT_TRUE(this->run_until([&] { return this->layer().pending_bytes() == 0; }));
  EXPECT_EQ(this->layer().tagged_frames_sent(), sent.size());
}

TYPED_TEST(CoalescingStreamTest, AStalledPeerHoldsAtMostOneFrameAfterDiscardThenGetsAValidClose) {
  this->connect(/*tiny_buffers=*/true);
  // Write and flush until the kernel refuses: what it refused is what the layer holds.
  std::vector<std::string> sent;
  while (sent.size() < 100000) {
    sent.push_back(message(sent.size(), 1000));
    this->write(sent.back());
    this->layer().flush();
    this->settle();
    if (this->layer().pending_bytes() > 0) break;
  }
  ASSERT_GT(this->layer().pending_bytes(), 0u) << "the kernel took everything; no back-pressure";
  // More writes queue behind (a session bounds this queue in bytes: it is all in pending_bytes).
  for (int i = 0; i < 50; ++i) {
    sent.push_back(message(sent.size(), 1000));
    const auto before = this->layer().pending_bytes();
    this->write(sent.back());
    EXPECT_EQ(this->layer().pending_bytes(), before + 1000 + 4);  // payload and a 4-byte header
  }
  this->layer().flush();  // still refused: nothing blocks, nothing is lost
  EXPECT_GT(this->layer().pending_bytes(), 50u * 1004);

  // Cut off: all but the frame being sent (the kernel started on it, or a write holds it) goes.
  this->layer().discard_unsent();
  EXPECT_LE(this->layer().pending_bytes(), 1004u);
  EXPECT_GT(this->layer().pending_bytes(), 0u);

  // The peer reads again: a prefix of what was written, whole and in order, then 1008.
  this->expect_prefix_then_1008(sent);
  EXPECT_LT(this->received_.size(), sent.size());
  EXPECT_EQ(this->layer().pending_bytes(), 0u);
}

TYPED_TEST(CoalescingStreamTest, PingsPongsAndTheServersCloseGoThroughTheLayer) {
  this->connect();
  std::vector<websocket::frame_type> client_saw;
  this->client_.control_callback(
      [&](websocket::frame_type kind, beast::string_view) { client_saw.push_back(kind); });
  std::vector<websocket::frame_type> server_saw;
  this->server_->control_callback(
      [&](websocket::frame_type kind, beast::string_view) { server_saw.push_back(kind); });
  beast::flat_buffer server_buffer;
  std::optional<beast::error_code> server_read_end;
  this->server_->async_read(server_buffer,
                            [&](beast::error_code ec, std::size_t) { server_read_end = ec; });
  this->read_all();

  // Server ping -> the client answers; client ping -> Beast's read on the server answers.
  bool pinged = false, client_pinged = false;
  this->server_->async_ping({}, [&](beast::error_code ec) { pinged = !ec; });
  this->client_.async_ping({}, [&](beast::error_code ec) { client_pinged = !ec; });
  ASSERT_TRUE(this->run_until([&] {
    const auto has = [](const auto& v, auto kind) {
      return std::find(v.begin(), v.end(), kind) != v.end();
    };
    return pinged && client_pinged && has(client_saw, websocket::frame_type::ping) &&
           has(client_saw, websocket::frame_type::pong) &&
           has(server_saw, websocket::frame_type::pong);
  }));

  // A message in between, then the server's close: the client gets both, in order.
  this->write("last words");
  this->layer().flush();
  std::optional<beast::error_code> close_result;
  this->server_->async_close(
      websocket::close_reason(websocket::close_code::normal, "job completed"),
      [&](beast::error_code ec) { close_result = ec; });
  ASSERT_TRUE(
      this->run_until([&] { return this->client_end_ && close_result && server_read_end; }));
  EXPECT_EQ(this->received_, std::vector<std::string>{"last words"});
  EXPECT_EQ(*this->client_end_, websocket::error::closed);
  EXPECT_EQ(this->client_.reason().code, websocket::close_code::normal);
  EXPECT_EQ(this->client_.reason().reason, "job completed");
  EXPECT_FALSE(*close_result) << close_result->message();
}

TYPED_TEST(CoalescingStreamTest, TheClientsCloseIsAnsweredThroughTheLayer) {
  this->connect();
  beast::flat_buffer server_buffer;
  std::optional<beast::error_code> server_read_end;
  this->server_->async_read(server_buffer,
                            [&](beast::error_code ec, std::size_t) { server_read_end = ec; });
  std::optional<beast::error_code> close_result;
  this->client_.async_close(websocket::close_code::going_away,
                            [&](beast::error_code ec) { close_result = ec; });
  ASSERT_TRUE(this->run_until([&] { return close_result && server_read_end; }));
  EXPECT_FALSE(*close_result) << close_result->message();  // the server's reply arrived
  EXPECT_EQ(*server_read_end, websocket::error::closed);
  EXPECT_EQ(this->server_->reason().code, websocket::close_code::going_away);
}

TYPED_TEST(CoalescingStreamTest, BeastsIdleTimeoutReachesTheSocketBelowTheLayer) {
  this->connect();
  websocket::stream_base::timeout t{};
  t.handshake_timeout = std::chrono::seconds(5);
  t.idle_timeout = std::chrono::seconds(1);
  t.keep_alive_pings = false;  // a silent peer is dropped at the idle timeout
  this->server_->set_option(t);
  beast::flat_buffer server_buffer;
  std::optional<beast::error_code> server_read_end;
  this->server_->async_read(server_buffer,
                            [&](beast::error_code ec, std::size_t) { server_read_end = ec; });
  ASSERT_TRUE(this->run_until([&] { return server_read_end.has_value(); }));
  EXPECT_EQ(*server_read_end, beast::error::timeout);
  EXPECT_FALSE(beast::get_lowest_layer(*this->server_).socket().is_open());
}

TYPED_TEST(CoalescingStreamTest, TheUpgradeResponseIsNotMistakenForFrames) {
  this->connect();
  // Were the 101 response parsed as frames, the frame list would be off and a discard would cut
  // a real frame in two; here it must drop exactly the frames not started.
  const auto first = message(1, 300);
  this->write(first);
  this->layer().flush();
  this->read_all();
  ASSERT_TRUE(this->run_until([&] { return this->received_.size() == 1; }));
  this->write(message(2, 300));
  this->write(message(3, 300));
  this->layer().discard_unsent();  // nothing started on them: the head one stays, the other goes
  EXPECT_EQ(this->layer().pending_bytes(), 304u);
  this->layer().flush();
  ASSERT_TRUE(this->run_until([&] { return this->received_.size() == 2; }));
  EXPECT_EQ(this->received_[0], first);
  EXPECT_EQ(this->received_[1], message(2, 300));
}

TYPED_TEST(CoalescingStreamTest, ADiscardAfterOneBigFlushStillLeavesWholeFramesBeforeTheClose) {
  this->connect(/*tiny_buffers=*/true);
  // One flush of many frames: the kernel takes a part (or one async_write holds them all), the
  // discard may not cut into what is already going out.
  std::vector<std::string> sent;
  for (std::size_t i = 0; i < 300; ++i) {
    sent.push_back(message(i, 700 + i % 5));
    this->write(sent.back());
  }
  this->layer().flush();
  this->settle();
  ASSERT_GT(this->layer().pending_bytes(), 0u) << "the kernel took everything; no back-pressure";
  this->layer().discard_unsent();
  // A prefix: all of it when one async_write held everything.
  this->expect_prefix_then_1008(sent);
}

}  // namespace
