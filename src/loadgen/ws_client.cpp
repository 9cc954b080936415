// The only Beast translation unit of the load generator (each costs 10–18 s to compile here).
// A watcher speaks WebSocket, or Server-Sent Events over the same TCP stream: a GET, the 200
// head, then `data:` messages, `event: close` in place of a close frame.
#include "loadgen/ws_client.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "common/live/sse_message.hpp"
#include "common/live/sse_parser.hpp"
#include "common/timestamp.hpp"
#include "loadgen/recorder.hpp"

namespace levain::loadgen {
namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using BindNoPort = net::detail::socket_option::boolean<IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT>;
using MaxSegment = net::detail::socket_option::integer<IPPROTO_TCP, TCP_MAXSEG>;

class Client final : public WsClient {
 public:
  Client(ClientEnv& env, net::io_context& ioc, std::size_t index,
         std::optional<net::ip::address> source)
      : env_(env), ws_(ioc), index_(index), source_(source) {}

  void connect(bool then_upgrade) override {
    step_open_ = true;
    if (state_ != State::idle) return end_step();
    auto& stream = beast::get_lowest_layer(ws_);
    auto& socket = stream.socket();
    const auto& config = env_.config();
    beast::error_code ec;
    socket.open(env_.server().protocol(), ec);
    if (!ec && config.receive_buffer_bytes) {
      socket.set_option(net::socket_base::receive_buffer_size(*config.receive_buffer_bytes), ec);
    }
    if (!ec && config.max_segment_bytes)
      socket.set_option(MaxSegment(*config.max_segment_bytes), ec);
    if (!ec && source_) {
      // Without this, bind() reserves a port for every destination: one source address would
      // give ~28k connections in all instead of ~28k per server port.
      beast::error_code ignored;
      socket.set_option(BindNoPort(true), ignored);
      socket.bind(tcp::endpoint(*source_, 0), ec);
    }
    if (ec) return fail("socket setup: " + ec.message());
    state_ = State::connecting;
    connect_started_ = Clock::now();
    stream.expires_after(config.connect_timeout);
    stream.async_connect(
        env_.server(), [this, then_upgrade](beast::error_code e) { on_connect(e, then_upgrade); });
  }

  void upgrade() override {
    step_open_ = true;
    if (state_ != State::open) return end_step();
    do_handshake();
  }

  void stop(const std::string& why) override {
    if (state_ == State::ended) return;
    stop_reason_ = why;
    result_.stopped = true;
    const State was = state_;
    close_socket();
    // Without an operation under way no handler will run to finish the client: do it here.
    if (was == State::idle || was == State::open) fail(why);
  }

  ClientResult& result() override { return result_; }

 private:
  enum class State { idle, connecting, open, upgrading, reading, closing, ended };

  void on_connect(beast::error_code ec, bool then_upgrade) {
    result_.connect_us =
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - connect_started_)
            .count();
    if (ec) {
      return fail(ec == beast::error::timeout ? "TCP connect timed out"
                                              : "TCP connect: " + ec.message());
    }
    result_.tcp_connected = true;
    beast::get_lowest_layer(ws_).expires_never();  // the WebSocket timeouts take over
    state_ = State::open;
    connect_settled_ = true;
    env_.connect_settled(index_, true);
    if (then_upgrade) return do_handshake();
    end_step();
  }

  void do_handshake() {
    state_ = State::upgrading;
    if (env_.config().sse) return do_sse_request();
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = env_.config().handshake_timeout;
    timeouts.idle_timeout = websocket::stream_base::none();  // the run's deadline bounds reads
    timeouts.keep_alive_pings = false;
    ws_.set_option(timeouts);
    ws_.read_message_max(env_.config().max_message_bytes);
    ws_.set_option(websocket::stream_base::decorator([](websocket::request_type& request) {
      request.set(beast::http::field::user_agent, "levain-bench");
    }));
    response_ = std::make_unique<websocket::response_type>();
    ws_.async_handshake(*response_, env_.config().host_header, env_.target(),
                        [this](beast::error_code ec) { on_handshake(ec); });
  }

  void on_handshake(beast::error_code ec) {
    if (ec == websocket::error::upgrade_declined) {
      result_.http_status = static_cast<int>(response_->result_int());
      return fail("upgrade refused with HTTP " + std::to_string(result_.http_status) + ": " +
                  response_->body().substr(0, 200));
    }
    response_.reset();
    if (ec) {
      return fail(ec == beast::error::timeout ? "WebSocket handshake timed out"
                                              : "WebSocket handshake: " + ec.message());
    }
    state_ = State::reading;
    end_step();
    do_read();
  }

  void do_read() {
    ws_.async_read(buffer_, [this](beast::error_code ec, std::size_t) { on_read(ec); });
  }

  // --- Server-Sent Events -------------------------------------------------------------------
  void do_sse_request() {
    auto& stream = beast::get_lowest_layer(ws_);
    sse_request_ = std::make_unique<beast::http::request<beast::http::empty_body>>(
        beast::http::verb::get, env_.target(), 11);
    sse_request_->set(beast::http::field::host, env_.config().host_header);
    sse_request_->set(beast::http::field::accept, "text/event-stream");
    sse_request_->set(beast::http::field::user_agent, "levain-bench");
    sse_head_ = std::make_unique<beast::http::response_parser<beast::http::empty_body>>();
    stream.expires_after(env_.config().handshake_timeout);
    beast::http::async_write(stream, *sse_request_, [this](beast::error_code ec, std::size_t) {
      if (ec) return fail("event stream request: " + ec.message());
      beast::http::async_read_header(
          beast::get_lowest_layer(ws_), buffer_, *sse_head_,
          [this](beast::error_code ec, std::size_t) { on_sse_head(ec); });
    });
  }

  void on_sse_head(beast::error_code ec) {
    sse_request_.reset();
    if (ec) {
      return fail(ec == beast::error::timeout ? "event stream request timed out"
                                              : "event stream request: " + ec.message());
    }
    result_.http_status = static_cast<int>(sse_head_->get().result_int());
    sse_head_.reset();
    if (result_.http_status != 200) {
      return fail("event stream refused with HTTP " + std::to_string(result_.http_status));
    }
    beast::get_lowest_layer(ws_).expires_never();  // the run's deadline bounds reads
    sse_ = std::make_unique<common::live::SseParser>(env_.config().max_message_bytes);
    state_ = State::reading;
    end_step();
    const auto& rest = buffer_.cdata();
    on_sse_bytes(std::string_view(static_cast<const char*>(rest.data()), rest.size()));
  }

  void read_sse() {
    beast::get_lowest_layer(ws_).async_read_some(
        buffer_.prepare(16384), [this](beast::error_code ec, std::size_t n) {
          if (ec) return on_read_error(ec);
          buffer_.commit(n);
          const auto& bytes = buffer_.cdata();
          on_sse_bytes(std::string_view(static_cast<const char*>(bytes.data()), bytes.size()));
        });
  }

  void on_sse_bytes(std::string_view bytes) {
    const bool ok = sse_->feed(bytes, sse_events_);
    buffer_.consume(buffer_.size());
    if (!ok) return fail("an event stream line over the message limit");
    const std::int64_t now = common::wall_clock_us();
    for (auto& event : sse_events_) {
      if (event.event == "close") {
        const auto data = std::move(event.data);  // the list is cleared before it is read
        sse_events_.clear();
        return on_sse_close(data);
      }
      const bool was_joined = result_.ledger.joined();
      const auto kind = record_message(result_, event.data, now, env_.started_wall_us(),
                                       env_.config().max_messages_per_client);
      if (!was_joined && result_.ledger.joined()) settle_join();
      if (kind == MessageKind::connected && env_.config().after_join != AfterJoin::stay) {
        sse_events_.clear();
        result_.stopped = true;
        close_socket();
        return finish();
      }
    }
    sse_events_.clear();
    read_sse();
  }

  /// `event: close` is the close frame of an event stream: its code and reason, then the end.
  void on_sse_close(std::string_view data) {
    if (auto close = common::live::parse_sse_close(data)) {
      result_.close_code = close->code;
      result_.close_reason = std::move(close->reason);
    }
    if (!result_.ledger.joined()) {
      return fail("closed with " + std::to_string(result_.close_code) + " '" +
                  result_.close_reason + "' before `connected`");
    }
    finish();
  }

  void on_read(beast::error_code ec) {
    if (ec) return on_read_error(ec);
    const std::int64_t now = common::wall_clock_us();
    std::optional<MessageKind> kind;
    if (ws_.got_text()) {
      const std::string_view text(static_cast<const char*>(buffer_.data().data()), buffer_.size());
      const bool was_joined = result_.ledger.joined();
      kind = record_message(result_, text, now, env_.started_wall_us(),
                            env_.config().max_messages_per_client);
      if (!was_joined && result_.ledger.joined()) settle_join();
    } else {
      ++result_.unparsed;
    }
    buffer_.consume(buffer_.size());
    if (kind == MessageKind::connected && env_.config().after_join != AfterJoin::stay) {
      return leave_after_join();
    }
    do_read();
  }

  void on_read_error(beast::error_code ec) {
    if (ec == websocket::error::closed && !env_.config().sse) {
      result_.close_code = static_cast<int>(ws_.reason().code);
      result_.close_reason = std::string(ws_.reason().reason.c_str());
    } else if (!result_.stopped) {
      result_.error = ec.message();
    }
    if (!result_.ledger.joined()) {
      return fail(result_.close_code >= 0 ? "closed with " + std::to_string(result_.close_code) +
                                                " '" + result_.close_reason + "' before `connected`"
                                          : "connection lost before `connected`: " + ec.message());
    }
    finish();
  }

  void leave_after_join() {
    result_.stopped = true;
    if (env_.config().after_join == AfterJoin::abort) {
      // linger 0: the close sends a RST, the way a crashed browser tab disappears.
      beast::error_code ignored;
      beast::get_lowest_layer(ws_).socket().set_option(net::socket_base::linger(true, 0), ignored);
      close_socket();
      return finish();
    }
    state_ = State::closing;
    ws_.async_close(websocket::close_code::normal, [this](beast::error_code) { finish(); });
  }

  void fail(std::string why) {
    if (state_ == State::ended) return;
    if (result_.failure.empty() && !result_.ledger.joined()) {
      result_.failure = result_.stopped && !stop_reason_.empty() ? stop_reason_ : std::move(why);
    }
    close_socket();
    if (!connect_settled_) {
      connect_settled_ = true;
      env_.connect_settled(index_, false);
    }
    finish();
  }

  void finish() {
    if (state_ == State::ended) return;
    state_ = State::ended;
    settle_join();
    end_step();
    close_socket();
    buffer_ = beast::flat_buffer();  // give the memory back now, not at the end of the run
    sse_.reset();
    env_.ended();
  }

  void settle_join() {
    if (join_settled_) return;
    join_settled_ = true;
    env_.join_settled();
  }

  void end_step() {
    if (!step_open_) return;
    step_open_ = false;
    env_.step_done();
  }

  void close_socket() {
    auto& stream = beast::get_lowest_layer(ws_);
    if (stream.socket().is_open()) stream.close();
  }

  ClientEnv& env_;
  websocket::stream<beast::tcp_stream> ws_;
  std::size_t index_;
  std::optional<net::ip::address> source_;
  beast::flat_buffer buffer_;
  std::unique_ptr<websocket::response_type> response_;
  std::unique_ptr<beast::http::request<beast::http::empty_body>> sse_request_;
  std::unique_ptr<beast::http::response_parser<beast::http::empty_body>> sse_head_;
  std::unique_ptr<common::live::SseParser> sse_;
  std::vector<common::live::SseEvent> sse_events_;
  State state_ = State::idle;
  Clock::time_point connect_started_;
  std::string stop_reason_;
  bool step_open_ = false;
  bool connect_settled_ = false;
  bool join_settled_ = false;
  ClientResult result_;
};

}  // namespace

std::unique_ptr<WsClient> make_ws_client(ClientEnv& env, net::io_context& ioc, std::size_t index,
                                         std::optional<net::ip::address> source) {
  return std::make_unique<Client>(env, ioc, index, source);
}

}  // namespace levain::loadgen
