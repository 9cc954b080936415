#pragma once
/// One AMQP connection with one channel over rabbitmq-c, used by exactly one thread (rabbitmq-c
/// state is not thread-safe). It turns the C API's replies into AmqpError with the broker's own
/// words, declares the topology, and waits on its socket and a Wakeup together, so its thread
/// sleeps until there is a frame to read or work to do.

#include <amqp.h>

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "bus/amqp_url.hpp"
#include "bus/wakeup.hpp"

namespace levain::bus {

/// The connection cannot be used any more (refused, broken, closed by the broker, timed out).
class AmqpError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct AmqpOptions {
  AmqpUrl url;
  std::chrono::seconds heartbeat{10};       // 0 turns heartbeats off
  std::chrono::milliseconds timeout{5000};  // TCP connect, login and each RPC
  std::string name;                         // shown by `rabbitmqctl list_connections name`
};

class AmqpConnection {
 public:
  /// Connects, logs in and opens the channel. Throws AmqpError.
  explicit AmqpConnection(const AmqpOptions& options);
  /// Closes politely (each step bounded by the RPC timeout) unless the connection is broken.
  ~AmqpConnection();
  AmqpConnection(const AmqpConnection&) = delete;
  AmqpConnection& operator=(const AmqpConnection&) = delete;

  void declare_topic_exchange(const std::string& name);  // durable, not auto-deleted
  void enable_confirms();
  void set_prefetch(std::uint16_t messages);
  /// A server-named, exclusive, auto-delete queue: this connection's alone, gone with it.
  std::string declare_private_queue();
  void bind(const std::string& queue, const std::string& exchange, const std::string& key);
  void consume(const std::string& queue, const std::string& consumer_tag);
  void cancel(const std::string& consumer_tag);
  void delete_queue(const std::string& queue);
  void publish(const std::string& exchange, const std::string& routing_key,
               const std::string& body);
  void ack(std::uint64_t delivery_tag, bool multiple);
  /// Reads the content (header + body frames) that follows a basic.deliver.
  std::string read_body();

  /// Sleeps until a frame may be readable, `wakeup` fires or `timeout` passes. Throws AmqpError
  /// when the broker has been silent for two heartbeat intervals.
  void wait(const Wakeup& wakeup, std::chrono::milliseconds timeout);
  /// The next frame if one can be had without blocking (true), else false. Sends our heartbeat
  /// when due. A channel.close or connection.close from the broker is answered here and thrown
  /// as AmqpError; heartbeats never reach the caller.
  bool next_frame(amqp_frame_t& frame);
  /// Frees what rabbitmq-c pooled for frames already handled (call between batches).
  void release_buffers();

  int socket_fd() const;
  std::chrono::seconds heartbeat() const { return heartbeat_; }

 private:
  void check(amqp_rpc_reply_t reply, const std::string& what);
  void check_last(const std::string& what) { check(amqp_get_rpc_reply(conn_), what); }
  [[noreturn]] void fail_status(int status, const std::string& what);

  amqp_connection_state_t conn_;
  std::chrono::seconds heartbeat_{0};
  std::chrono::steady_clock::time_point last_heard_;
  bool channel_open_ = false;
  bool broken_ = false;
};

}  // namespace levain::bus
