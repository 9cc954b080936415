#pragma once
/// The gateway's hop to a training replica: the client side of RFC 6455, ours for the reason the
/// watchers' server side is (common/ws/frame_reader.hpp). Per idle relay, Beast's client stream
/// held 2.4 KiB of state, its whole-message read a 1.5 KiB buffer, and the tcp_stream two timers.
/// This link holds a frame reader, one timer (ws::HopTimer) and a wait for readability: its reads
/// go into one buffer per I/O thread once the socket has bytes, so an idle relay holds no read
/// buffer at all. Plain TCP: replicas sit on the private network (docs/deploy.md).
///
/// The replica's messages reach the owner one by one, then on_link_batch_end() once the socket
/// has nothing more for now (when the relay flushes its client: one send per read of a burst).
/// The owner's calls and the events all run on the link's executor.

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/live/limits.hpp"
#include "common/ws/coalescing_stream.hpp"
#include "common/ws/frame_reader.hpp"
#include "common/ws/hop_timer.hpp"

namespace levain::gateway {

class ReplicaLink {
 public:
  using tcp = boost::asio::ip::tcp;
  using error_code = boost::beast::error_code;
  using CloseReason = boost::beast::websocket::close_reason;

  /// Largest message a replica may send (a snapshot of a big job): Beast's default bound.
  static constexpr std::size_t kMaxMessage = 16u << 20;

  class Events {
   public:
    virtual ~Events() = default;
    /// The replica answered the upgrade with a valid 101.
    virtual void on_link_open() = 0;
    /// Connecting or the upgrade failed (`step`: "connect" or "handshake"); nothing was opened.
    virtual void on_link_failed(const char* step, error_code ec) = 0;
    virtual void on_link_message(std::string_view message, bool text) = 0;
    /// Every message the socket had for now was given.
    virtual void on_link_batch_end() = 0;
    /// The link is done: the replica closed (with `peer`), or it was lost (nullopt, `ec` why).
    virtual void on_link_closed(const std::optional<CloseReason>& peer, error_code ec) = 0;
  };

  /// One request's head lines besides the upgrade's own (name, value), sent to the replica.
  struct Header {
    std::string name;
    std::string value;
  };

  ReplicaLink(const boost::asio::any_io_executor& executor, const common::live::Limits& limits);

  /// Connects to `replica` and asks for `target` (as `host`) with `headers`; `events` hears the
  /// outcome. `owner` (which owns this link and `events`) is kept alive by every operation.
  void connect(const tcp::endpoint& replica, std::string_view host, std::string_view target,
               const std::vector<Header>& headers, std::chrono::milliseconds connect_timeout,
               Events& events, const std::shared_ptr<void>& owner);
  /// After on_link_open: the replica's messages start to flow (what came with the 101 first).
  void start_reading();

  /// Queues one masked message; false once closing.
  bool send(std::string_view message, bool text);
  /// Bytes queued for the replica that it has not taken yet.
  std::size_t pending_bytes() const;
  /// Our close (once): the replica's answer, or the close timeout, ends the link.
  void close(const CloseReason& reason);
  /// Open, and neither side has closed.
  bool open() const { return state_ == State::open; }

 private:
  enum class State : std::uint8_t { connecting, open, close_sent, closed };
  struct Handshake;

  void on_connected(error_code ec, const std::shared_ptr<Handshake>& hs);
  void on_response(error_code ec, const std::shared_ptr<Handshake>& hs);
  void wait_readable();
  void read_available();
  /// False once the conversation ends.
  bool handle(const common::ws::ReadEvent& event);
  void own_frame(std::uint8_t op, std::string_view payload);
  void finish(std::uint16_t code, std::optional<CloseReason> peer, error_code why);
  void done(const std::optional<CloseReason>& peer, error_code ec);
  void tick();
  void deadline(std::chrono::steady_clock::duration after);

  tcp::socket socket_;  // until open; then the layer's
  std::optional<common::ws::CoalescingStream<tcp::socket>> layer_;
  common::ws::HopTimer timer_;
  const common::live::Limits& limits_;
  common::ws::FrameReader reader_;
  std::string early_;  // what came with the 101, read before anything else
  Events* events_ = nullptr;
  std::weak_ptr<void> owner_;
  State state_ = State::connecting;
};

}  // namespace levain::gateway
