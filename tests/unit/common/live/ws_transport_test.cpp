// Our server side of RFC 6455 (WsTransport over the coalescing layer) against Beast's client on
// a loopback socket, an implementation we did not write: what the client reads is the contract
// (whole frames, in order, pings answered, close codes both ways, the idle cut). Every test runs
// over both ways of sending: non-blocking sends (the bare socket a watcher runs on) and one
// async_write at a time (any other stream, as TLS; here a TCP stream of another type).
#include "common/live/ws_transport.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

namespace levain::common::live {
namespace {

// A message whose bytes tell where it belongs: a reordered, cut or merged frame shows.
std::string message(std::size_t index, std::size_t size) {
  std::string text = "#" + std::to_string(index) + ":";
  while (text.size() < size) text += static_cast<char>('a' + (text.size() + index) % 26);
  text.resize(size);
  return text;
}

// A TCP stream that is not a bare socket: the layer sends through it with async_write.
using OtherTcpStream = beast::basic_stream<tcp, net::any_io_executor, beast::simple_rate_policy>;

/// What the transport tells its owner, recorded.
struct Events : TransportEvents {
  bool opened = false;
  std::optional<std::optional<websocket::close_reason>> gone;
  std::vector<std::string> messages;
  void on_open() override { opened = true; }
  void on_gone(const std::optional<websocket::close_reason>& peer) override { gone = peer; }
  void on_cut() override {}
  void on_message(std::string_view text, bool) override { messages.emplace_back(text); }
};

template <class NextLayer>
class WsTransportTest : public ::testing::Test {
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

    // The upgrade request is read as the HTTP server reads it; the transport answers it.
    bool handshaken = false, requested = false;
    beast::flat_buffer request_buffer;
    http::Request request;
    beast::http::async_read(accepted, request_buffer, request, [&](beast::error_code ec, auto) {
      ASSERT_FALSE(ec) << ec.message();
      requested = true;
    });
    client_.async_handshake("127.0.0.1", "/", [&](beast::error_code ec) {
      ASSERT_FALSE(ec) << ec.message();
      handshaken = true;
    });
    ASSERT_TRUE(run_until([&] { return requested; }));
    ASSERT_FALSE(ws::check_upgrade(request)) << "Beast's request is a valid upgrade";
    server_.emplace(NextLayer(std::move(accepted)), limits_,
                    SenderMetrics{queued_, slow_, &delivered_});
    server_->open(request, "test", events_, owner_);
    ASSERT_TRUE(run_until([&] { return handshaken && events_.opened; }));
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

  ws::CoalescingStream<NextLayer>& layer() { return server_->layer(); }

  void write(const std::string& text) {
    EXPECT_EQ(server_->send(text, MessageMeta{}, /*counted=*/true), Sent::sent);
  }

  /// Runs what is ready now: a write the kernel took completes, one it refused does not.
  void settle() {
    ioc_.restart();
    ioc_.poll();
  }

  /// The server closes with 1008 at once and the peer reads again: it gets whole frames, a
  /// prefix of `sent` in order, then the close.
  void expect_prefix_then_1008(const std::vector<std::string>& sent) {
    server_->close(1008, "slow", /*drain=*/false);
    read_all();
    ASSERT_TRUE(run_until([&] { return client_end_.has_value() && events_.gone.has_value(); }));
    EXPECT_EQ(*client_end_, websocket::error::closed);
    EXPECT_EQ(client_.reason().code, websocket::close_code::policy_error);
    ASSERT_FALSE(received_.empty());
    ASSERT_LE(received_.size(), sent.size());
    for (std::size_t i = 0; i < received_.size(); ++i) ASSERT_EQ(received_[i], sent[i]) << i;
  }

  net::io_context ioc_;
  tcp::acceptor acceptor_{ioc_};
  websocket::stream<beast::tcp_stream> client_{ioc_};
  Limits limits_;
  Gauge queued_;
  Counter slow_;
  Counter delivered_;
  Events events_;
  std::shared_ptr<int> owner_ = std::make_shared<int>(0);
  std::optional<WsTransport<NextLayer>> server_;
  beast::flat_buffer client_buffer_;
  std::vector<std::string> received_;
  std::optional<beast::error_code> client_end_;
};

using NextLayers = ::testing::Types<tcp::socket, OtherTcpStream>;
TYPED_TEST_SUITE(WsTransportTest, NextLayers);

TYPED_TEST(WsTransportTest, FramesOfManyWritesArriveWholeAndInOrderFromOneFlush) {
  this->limits_.send_queue_bytes = std::size_t{64} << 20;  // all of it queues before the flush
  this->connect();
  // Every header size (7-bit, 16-bit, 64-bit lengths).
  const std::vector<std::size_t> sizes = {0, 1, 125, 126, 127, 65535, 65536, 70000, 300000, 525};
  std::vector<std::string> sent;
  for (std::size_t i = 0; i < 200; ++i) {
    sent.push_back(message(i, sizes[i % sizes.size()]));
    this->write(sent.back());
  }
  EXPECT_GT(this->layer().pending_bytes(), 0u) << "writes only append; flush() sends";
  this->server_->flush();
  this->read_all();
  ASSERT_TRUE(this->run_until([&] { return this->received_.size() == sent.size(); }));
  EXPECT_EQ(this->received_, sent);
  EXPECT_TRUE(this->run_until([&] { return this->delivered_.value() == sent.size(); }));
  EXPECT_EQ(this->layer().pending_bytes(), 0u);
}

TYPED_TEST(WsTransportTest, AStalledPeerHoldsAtMostOneFrameAfterDiscardThenGetsAValidClose) {
  this->connect(/*tiny_buffers=*/true);
  // Write and flush until the kernel refuses: what it refused is what the layer holds.
  std::vector<std::string> sent;
  while (sent.size() < 100000) {
    sent.push_back(message(sent.size(), 1000));
    this->write(sent.back());
    this->server_->flush();
    this->settle();
    if (this->layer().pending_bytes() > 0) break;
  }
  ASSERT_GT(this->layer().pending_bytes(), 0u) << "the kernel took everything; no back-pressure";
  // More writes queue behind (the sender bounds this queue in bytes: it is all in pending_bytes).
  for (int i = 0; i < 50; ++i) {
    sent.push_back(message(sent.size(), 1000));
    const auto before = this->layer().pending_bytes();
    this->write(sent.back());
    EXPECT_EQ(this->layer().pending_bytes(), before + 1000 + 4);  // payload and a 4-byte header
  }
  this->server_->flush();  // still refused: nothing blocks, nothing is lost
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

TYPED_TEST(WsTransportTest, PingsAreAnsweredWithTheirPayloadAndMessagesAndTheCloseFollowInOrder) {
  this->connect();
  std::vector<std::pair<websocket::frame_type, std::string>> client_saw;
  this->client_.control_callback([&](websocket::frame_type kind, beast::string_view payload) {
    client_saw.emplace_back(kind, std::string(payload));
  });
  this->read_all();
  bool client_pinged = false;
  this->client_.async_ping("are you there", [&](beast::error_code ec) { client_pinged = !ec; });
  ASSERT_TRUE(this->run_until([&] { return client_pinged && !client_saw.empty(); }));
  EXPECT_EQ(client_saw.front().first, websocket::frame_type::pong);
  EXPECT_EQ(client_saw.front().second, "are you there");

  // The client's text message reaches the owner.
  bool client_wrote = false;
  this->client_.async_write(net::buffer(std::string_view("{\"type\":\"ping\"}")),
                            [&](beast::error_code ec, std::size_t) { client_wrote = !ec; });
  ASSERT_TRUE(this->run_until([&] { return client_wrote && !this->events_.messages.empty(); }));
  EXPECT_EQ(this->events_.messages, std::vector<std::string>{"{\"type\":\"ping\"}"});

  // A message, then the server's close after it: the client gets both, in order, and answers
  // the close; the owner hears the client's code.
  this->write("last words");
  this->server_->close(1000, "job completed", /*drain=*/true);
  ASSERT_TRUE(this->run_until([&] { return this->client_end_ && this->events_.gone; }));
  EXPECT_EQ(this->received_, std::vector<std::string>{"last words"});
  EXPECT_EQ(*this->client_end_, websocket::error::closed);
  EXPECT_EQ(this->client_.reason().code, websocket::close_code::normal);
  EXPECT_EQ(this->client_.reason().reason, "job completed");
  ASSERT_TRUE(this->events_.gone->has_value());
  EXPECT_EQ((*this->events_.gone)->code, websocket::close_code::normal);
}

TYPED_TEST(WsTransportTest, TheClientsCloseIsEchoedAndTheOwnerHearsItsCode) {
  this->connect();
  std::optional<beast::error_code> close_result;
  this->client_.async_close(websocket::close_reason(websocket::close_code::going_away, "bye"),
                            [&](beast::error_code ec) { close_result = ec; });
  ASSERT_TRUE(this->run_until([&] { return close_result && this->events_.gone; }));
  EXPECT_FALSE(*close_result) << close_result->message();  // the server's echo arrived
  ASSERT_TRUE(this->events_.gone->has_value());
  EXPECT_EQ((*this->events_.gone)->code, websocket::close_code::going_away);
  EXPECT_EQ((*this->events_.gone)->reason, "bye");
  EXPECT_EQ(this->server_->send("too late", MessageMeta{}, false), Sent::closing);
}

TYPED_TEST(WsTransportTest, ASilentPeerIsPingedThenCut) {
  this->limits_.idle_timeout = std::chrono::seconds(2);
  this->connect();
  // The client never reads, so it never answers the ping at 1 s: the cut comes at 2 s.
  ASSERT_TRUE(this->run_until([&] { return this->events_.gone.has_value(); }));
  EXPECT_FALSE(this->events_.gone->has_value()) << "a cut peer sent no close";
  // What the client finds once it reads: the ping it never answered, then the end.
  int pings = 0;
  this->client_.control_callback([&](websocket::frame_type kind, beast::string_view) {
    if (kind == websocket::frame_type::ping) ++pings;
  });
  this->read_all();
  ASSERT_TRUE(this->run_until([&] { return this->client_end_.has_value(); }));
  EXPECT_EQ(pings, 1);
  EXPECT_NE(*this->client_end_, websocket::error::closed) << "no close handshake on a cut";
}

TYPED_TEST(WsTransportTest, APeerThatAnswersPingsStaysOpen) {
  // Ticks 2 s apart: a false cut would need the test to stall for 2 s between ping and pong.
  this->limits_.idle_timeout = std::chrono::seconds(4);
  this->connect();
  int pings = 0;
  this->client_.control_callback([&](websocket::frame_type kind, beast::string_view) {
    if (kind == websocket::frame_type::ping) ++pings;
  });
  this->read_all();  // Beast's client answers each ping as it reads
  ASSERT_TRUE(this->run_until([&] { return pings >= 2 || this->events_.gone.has_value(); }));
  EXPECT_GE(pings, 2);
  EXPECT_FALSE(this->events_.gone.has_value()) << "an answering peer was cut";
}

TYPED_TEST(WsTransportTest, TheUpgradeResponseIsNotMistakenForFrames) {
  this->connect();
  // Were the 101 response parsed as frames, the frame list would be off and a discard would cut
  // a real frame in two; here it must drop exactly the frames not started.
  const auto first = message(1, 300);
  this->write(first);
  this->server_->flush();
  this->read_all();
  ASSERT_TRUE(this->run_until([&] { return this->received_.size() == 1; }));
  this->write(message(2, 300));
  this->write(message(3, 300));
  this->layer().discard_unsent();  // nothing started on them: the head one stays, the other goes
  EXPECT_EQ(this->layer().pending_bytes(), 304u);
  this->server_->flush();
  ASSERT_TRUE(this->run_until([&] { return this->received_.size() == 2; }));
  EXPECT_EQ(this->received_[0], first);
  EXPECT_EQ(this->received_[1], message(2, 300));
}

TYPED_TEST(WsTransportTest, ADiscardAfterOneBigFlushStillLeavesWholeFramesBeforeTheClose) {
  this->connect(/*tiny_buffers=*/true);
  // One flush of many frames: the kernel takes a part (or one async_write holds them all), the
  // discard may not cut into what is already going out.
  std::vector<std::string> sent;
  for (std::size_t i = 0; i < 300; ++i) {
    sent.push_back(message(i, 700 + i % 5));
    this->write(sent.back());
  }
  this->server_->flush();
  this->settle();
  ASSERT_GT(this->layer().pending_bytes(), 0u) << "the kernel took everything; no back-pressure";
  this->layer().discard_unsent();
  // A prefix: all of it when one async_write held everything.
  this->expect_prefix_then_1008(sent);
}

}  // namespace
}  // namespace levain::common::live
