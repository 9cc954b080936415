// The coalescing layer under a real server websocket::stream, against a plain Beast client on a
// loopback socket: what the client reads is the contract (whole frames, in order, close codes).
#include "training/live/coalescing_stream.hpp"

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

using namespace levain::training;
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

    server_.emplace(beast::tcp_stream(std::move(accepted)));
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

  CoalescingStream& layer() { return server_->next_layer(); }

  net::io_context ioc_;
  tcp::acceptor acceptor_{ioc_};
  websocket::stream<beast::tcp_stream> client_{ioc_};
  std::optional<websocket::stream<CoalescingStream>> server_;
  beast::flat_buffer client_buffer_;
  std::vector<std::string> received_;
  std::optional<beast::error_code> client_end_;
};

TEST_F(CoalescingStreamTest, FramesOfManyWritesArriveWholeAndInOrderFromOneFlush) {
  connect();
  // Every header size (7-bit, 16-bit, 64-bit lengths) and a frame Beast hands over in pieces.
  const std::vector<std::size_t> sizes = {0, 1, 125, 126, 127, 65535, 65536, 70000, 300000, 525};
  std::vector<std::string> sent;
  for (std::size_t i = 0; i < 200; ++i) {
    sent.push_back(message(i, sizes[i % sizes.size()]));
    write(sent.back());
    layer().tag_last_frame();
  }
  EXPECT_GT(layer().pending_bytes(), 0u) << "writes only append; flush() sends";
  layer().flush();
  read_all();
  ASSERT_TRUE(run_until([&] { return received_.size() == sent.size(); }));
  EXPECT_EQ(received_, sent);
  EXPECT_TRUE(run_until([&] { return layer().pending_bytes() == 0; }));
  EXPECT_EQ(layer().tagged_frames_sent(), sent.size());
}

TEST_F(CoalescingStreamTest, AStalledPeerHoldsAtMostOneFrameAfterDiscardThenGetsAValidClose) {
  connect(/*tiny_buffers=*/true);
  // Write and flush until the kernel refuses: what it refused is what the layer holds.
  std::vector<std::string> sent;
  while (layer().pending_bytes() == 0 && sent.size() < 100000) {
    sent.push_back(message(sent.size(), 1000));
    write(sent.back());
    layer().flush();
  }
  ASSERT_GT(layer().pending_bytes(), 0u) << "the kernel took everything; no back-pressure";
  // More writes queue behind (a session bounds this queue in bytes: it is all in pending_bytes).
  for (int i = 0; i < 50; ++i) {
    sent.push_back(message(sent.size(), 1000));
    const auto before = layer().pending_bytes();
    write(sent.back());
    EXPECT_EQ(layer().pending_bytes(), before + 1000 + 4);  // payload and a 4-byte header
  }
  layer().flush();  // still refused: nothing blocks, nothing is lost
  EXPECT_GT(layer().pending_bytes(), 50u * 1004);

  // Cut off: all but the frame the kernel started on is dropped.
  layer().discard_unsent();
  EXPECT_LE(layer().pending_bytes(), 1004u);
  EXPECT_GT(layer().pending_bytes(), 0u);

  // The peer reads again: a prefix of what was written, whole and in order, then 1008.
  bool closed = false;
  server_->async_close(websocket::close_reason(websocket::close_code::policy_error, "slow"),
                       [&](beast::error_code) { closed = true; });
  read_all();
  ASSERT_TRUE(run_until([&] { return client_end_.has_value() && closed; }));
  EXPECT_EQ(*client_end_, websocket::error::closed);
  EXPECT_EQ(client_.reason().code, websocket::close_code::policy_error);
  ASSERT_FALSE(received_.empty());
  ASSERT_LT(received_.size(), sent.size());
  for (std::size_t i = 0; i < received_.size(); ++i) ASSERT_EQ(received_[i], sent[i]) << i;
  EXPECT_EQ(layer().pending_bytes(), 0u);
}

TEST_F(CoalescingStreamTest, PingsPongsAndTheServersCloseGoThroughTheLayer) {
  connect();
  std::vector<websocket::frame_type> client_saw;
  client_.control_callback(
      [&](websocket::frame_type kind, beast::string_view) { client_saw.push_back(kind); });
  std::vector<websocket::frame_type> server_saw;
  server_->control_callback(
      [&](websocket::frame_type kind, beast::string_view) { server_saw.push_back(kind); });
  beast::flat_buffer server_buffer;
  std::optional<beast::error_code> server_read_end;
  server_->async_read(server_buffer,
                      [&](beast::error_code ec, std::size_t) { server_read_end = ec; });
  read_all();

  // Server ping -> the client answers; client ping -> Beast's read on the server answers.
  bool pinged = false, client_pinged = false;
  server_->async_ping({}, [&](beast::error_code ec) { pinged = !ec; });
  client_.async_ping({}, [&](beast::error_code ec) { client_pinged = !ec; });
  ASSERT_TRUE(run_until([&] {
    const auto has = [](const auto& v, auto kind) {
      return std::find(v.begin(), v.end(), kind) != v.end();
    };
    return pinged && client_pinged && has(client_saw, websocket::frame_type::ping) &&
           has(client_saw, websocket::frame_type::pong) &&
           has(server_saw, websocket::frame_type::pong);
  }));

  // A message in between, then the server's close: the client gets both, in order.
  write("last words");
  layer().flush();
  std::optional<beast::error_code> close_result;
  server_->async_close(websocket::close_reason(websocket::close_code::normal, "job completed"),
                       [&](beast::error_code ec) { close_result = ec; });
  ASSERT_TRUE(run_until([&] { return client_end_ && close_result && server_read_end; }));
  EXPECT_EQ(received_, std::vector<std::string>{"last words"});
  EXPECT_EQ(*client_end_, websocket::error::closed);
  EXPECT_EQ(client_.reason().code, websocket::close_code::normal);
  EXPECT_EQ(client_.reason().reason, "job completed");
  EXPECT_FALSE(*close_result) << close_result->message();
}

TEST_F(CoalescingStreamTest, TheClientsCloseIsAnsweredThroughTheLayer) {
  connect();
  beast::flat_buffer server_buffer;
  std::optional<beast::error_code> server_read_end;
  server_->async_read(server_buffer,
                      [&](beast::error_code ec, std::size_t) { server_read_end = ec; });
  std::optional<beast::error_code> close_result;
  client_.async_close(websocket::close_code::going_away,
                      [&](beast::error_code ec) { close_result = ec; });
  ASSERT_TRUE(run_until([&] { return close_result && server_read_end; }));
  EXPECT_FALSE(*close_result) << close_result->message();  // the server's reply arrived
  EXPECT_EQ(*server_read_end, websocket::error::closed);
  EXPECT_EQ(server_->reason().code, websocket::close_code::going_away);
}

TEST_F(CoalescingStreamTest, BeastsIdleTimeoutReachesTheSocketBelowTheLayer) {
  connect();
  websocket::stream_base::timeout t{};
  t.handshake_timeout = std::chrono::seconds(5);
  t.idle_timeout = std::chrono::seconds(1);
  t.keep_alive_pings = false;  // a silent peer is dropped at the idle timeout
  server_->set_option(t);
  beast::flat_buffer server_buffer;
  std::optional<beast::error_code> server_read_end;
  server_->async_read(server_buffer,
                      [&](beast::error_code ec, std::size_t) { server_read_end = ec; });
  ASSERT_TRUE(run_until([&] { return server_read_end.has_value(); }));
  EXPECT_EQ(*server_read_end, beast::error::timeout);
  EXPECT_FALSE(beast::get_lowest_layer(*server_).socket().is_open());
}

TEST_F(CoalescingStreamTest, TheUpgradeResponseIsNotMistakenForFrames) {
  connect();
  // Were the 101 response parsed as frames, the frame list would be off and a discard would cut
  // a real frame in two; here it must drop exactly the frames not started.
  const auto first = message(1, 300);
  write(first);
  layer().flush();
  read_all();
  ASSERT_TRUE(run_until([&] { return received_.size() == 1; }));
  write(message(2, 300));
  write(message(3, 300));
  layer().discard_unsent();  // nothing started on them: the head one stays, the other goes
  EXPECT_EQ(layer().pending_bytes(), 304u);
  layer().flush();
  ASSERT_TRUE(run_until([&] { return received_.size() == 2; }));
  EXPECT_EQ(received_[0], first);
  EXPECT_EQ(received_[1], message(2, 300));
}

}  // namespace
