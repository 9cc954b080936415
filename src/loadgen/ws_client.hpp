#pragma once
/// One watcher connection as a state machine on one io_context thread: TCP connect (bound to
/// its source address), WebSocket upgrade, then read and record every message until the end.
/// Beast stays in ws_client.cpp; the engine sees only this interface.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <optional>
#include <string>

#include "loadgen/watchers.hpp"

namespace levain::loadgen {

/// What a client needs from the engine that runs it. Called on the client's I/O thread.
class ClientEnv {
 public:
  virtual ~ClientEnv() = default;
  virtual const WatchersConfig& config() const = 0;
  virtual const boost::asio::ip::tcp::endpoint& server() const = 0;
  virtual const std::string& target() const = 0;
  virtual std::int64_t started_wall_us() const = 0;
  virtual void step_done() = 0;                                   // a pumped step finished
  virtual void connect_settled(std::size_t client, bool ok) = 0;  // TCP connected or failed
  virtual void join_settled() = 0;                                // `connected` arrived, or failed
  virtual void ended() = 0;                                       // the connection is over
};

class WsClient {
 public:
  virtual ~WsClient() = default;
  /// Each is called on the client's io_context. A call that does not fit the client's state
  /// (e.g. upgrade after it failed) only closes the pumped step.
  virtual void connect(bool then_upgrade) = 0;
  virtual void upgrade() = 0;
  virtual void stop(const std::string& why) = 0;
  /// Read after the I/O threads stopped.
  virtual ClientResult& result() = 0;
};

/// `source`: the local address to bind, if any.
std::unique_ptr<WsClient> make_ws_client(ClientEnv& env, boost::asio::io_context& ioc,
                                         std::size_t index,
                                         std::optional<boost::asio::ip::address> source);

}  // namespace levain::loadgen
