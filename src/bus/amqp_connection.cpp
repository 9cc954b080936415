#include "bus/amqp_connection.hpp"

#include <amqp_tcp_socket.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace levain::bus {

namespace {

constexpr amqp_channel_t kChannel = 1;

amqp_bytes_t bytes(const std::string& s) { return {s.size(), const_cast<char*>(s.data())}; }

std::string text(amqp_bytes_t b) { return {static_cast<const char*>(b.bytes), b.len}; }

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

std::string describe_close(const amqp_method_t& m) {
  if (m.id == AMQP_CONNECTION_CLOSE_METHOD) {
    const auto* c = static_cast<const amqp_connection_close_t*>(m.decoded);
    return "connection closed by the broker: " + std::to_string(c->reply_code) + " " +
           text(c->reply_text);
  }
  if (m.id == AMQP_CHANNEL_CLOSE_METHOD) {
    const auto* c = static_cast<const amqp_channel_close_t*>(m.decoded);
    return "channel closed by the broker: " + std::to_string(c->reply_code) + " " +
           text(c->reply_text);
  }
  return "unexpected method " + std::to_string(m.id) + " from the broker";
}

}  // namespace

AmqpConnection::AmqpConnection(const AmqpOptions& options) : conn_(amqp_new_connection()) {
  if (conn_ == nullptr) throw AmqpError("out of memory creating an AMQP connection");
  amqp_socket_t* socket = amqp_tcp_socket_new(conn_);
  if (socket == nullptr) {
    amqp_destroy_connection(conn_);
    throw AmqpError("out of memory creating an AMQP socket");
  }
  try {
    auto tv = to_timeval(options.timeout);
    amqp_set_handshake_timeout(conn_, &tv);
    amqp_set_rpc_timeout(conn_, &tv);
    const auto& u = options.url;
    errno = 0;
    const int status = amqp_socket_open_noblock(socket, u.host.c_str(), u.port, &tv);
    if (status != AMQP_STATUS_OK) {
      const int err = errno;  // rabbitmq-c only says "a socket error occurred"
      broken_ = true;
      std::string what = "connect to " + u.host + ":" + std::to_string(u.port);
      if (status == AMQP_STATUS_SOCKET_ERROR && err != 0)
        what += " (" + std::string(std::strerror(err)) + ")";
      fail_status(status, what);
    }
    amqp_table_entry_t entry;
    entry.key = amqp_cstring_bytes("connection_name");
    entry.value.kind = AMQP_FIELD_KIND_UTF8;
    entry.value.value.bytes = bytes(options.name);
    amqp_table_t properties{1, &entry};
    const int heartbeat =
        static_cast<int>(std::clamp<std::int64_t>(options.heartbeat.count(), 0, 65535));
    check(amqp_login_with_properties(conn_, u.vhost.c_str(), 0, AMQP_DEFAULT_FRAME_SIZE, heartbeat,
                                     &properties, AMQP_SASL_METHOD_PLAIN, u.user.c_str(),
                                     u.password.c_str()),
          "log in to vhost '" + u.vhost + "' as '" + u.user + "'");
    heartbeat_ = std::chrono::seconds(amqp_get_heartbeat(conn_));
    amqp_channel_open(conn_, kChannel);
    check_last("open a channel");
    channel_open_ = true;
    last_heard_ = std::chrono::steady_clock::now();
  } catch (...) {
    amqp_destroy_connection(conn_);
    throw;
  }
}

AmqpConnection::~AmqpConnection() {
  if (!broken_) {
    if (channel_open_) amqp_channel_close(conn_, kChannel, AMQP_REPLY_SUCCESS);
    amqp_connection_close(conn_, AMQP_REPLY_SUCCESS);
  }
  amqp_destroy_connection(conn_);
}

void AmqpConnection::fail_status(int status, const std::string& what) {
  broken_ = true;
  throw AmqpError(what + ": " + amqp_error_string2(status));
}

void AmqpConnection::check(amqp_rpc_reply_t reply, const std::string& what) {
  switch (reply.reply_type) {
    case AMQP_RESPONSE_NORMAL:
      return;
    case AMQP_RESPONSE_NONE:
      broken_ = true;
      throw AmqpError(what + ": no reply from the broker");
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
      fail_status(reply.library_error, what);
    case AMQP_RESPONSE_SERVER_EXCEPTION:
      break;
  }
  // The broker closed the channel or the whole connection: acknowledge so it can free them.
  if (reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
    amqp_connection_close_ok_t ok{};
    amqp_send_method(conn_, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &ok);
    broken_ = true;
  } else if (reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
    amqp_channel_close_ok_t ok{};
    amqp_send_method(conn_, kChannel, AMQP_CHANNEL_CLOSE_OK_METHOD, &ok);
    channel_open_ = false;
  }
  throw AmqpError(what + ": " + describe_close(reply.reply));
}

void AmqpConnection::declare_topic_exchange(const std::string& name) {
  amqp_exchange_declare(conn_, kChannel, bytes(name), amqp_cstring_bytes("topic"), 0, 1, 0, 0,
                        amqp_empty_table);
  check_last("declare exchange '" + name + "'");
}

void AmqpConnection::enable_confirms() {
  amqp_confirm_select(conn_, kChannel);
  check_last("enable publisher confirms");
}

void AmqpConnection::set_prefetch(std::uint16_t messages) {
  amqp_basic_qos(conn_, kChannel, 0, messages, 0);
  check_last("set the prefetch count");
}

std::string AmqpConnection::declare_private_queue() {
  auto* ok = amqp_queue_declare(conn_, kChannel, amqp_empty_bytes, 0, 0, 1, 1, amqp_empty_table);
  check_last("declare a private queue");
  return text(ok->queue);
}

void AmqpConnection::bind(const std::string& queue, const std::string& exchange,
                          const std::string& key) {
  amqp_queue_bind(conn_, kChannel, bytes(queue), bytes(exchange), bytes(key), amqp_empty_table);
  check_last("bind '" + key + "' to exchange '" + exchange + "'");
}

void AmqpConnection::consume(const std::string& queue, const std::string& consumer_tag) {
  amqp_basic_consume(conn_, kChannel, bytes(queue), bytes(consumer_tag), 0, 0, 0, amqp_empty_table);
  check_last("consume from a private queue");
}

void AmqpConnection::cancel(const std::string& consumer_tag) {
  amqp_basic_cancel(conn_, kChannel, bytes(consumer_tag));
  check_last("cancel a consumer");
}

void AmqpConnection::delete_queue(const std::string& queue) {
  amqp_queue_delete(conn_, kChannel, bytes(queue), 0, 0);
  check_last("delete a private queue");
}

void AmqpConnection::publish(const std::string& exchange, const std::string& routing_key,
                             const std::string& body) {
  amqp_basic_properties_t props{};
  props._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG;
  props.content_type = amqp_cstring_bytes("application/json");
  props.delivery_mode = 1;  // transient: a live event is worth nothing after a broker restart
  const int status = amqp_basic_publish(conn_, kChannel, bytes(exchange), bytes(routing_key), 0, 0,
                                        &props, bytes(body));
  if (status != AMQP_STATUS_OK) fail_status(status, "publish");
}

void AmqpConnection::ack(std::uint64_t delivery_tag, bool multiple) {
  const int status = amqp_basic_ack(conn_, kChannel, delivery_tag, multiple ? 1 : 0);
  if (status != AMQP_STATUS_OK) fail_status(status, "acknowledge");
}

std::string AmqpConnection::read_body() {
  amqp_message_t message;
  const auto reply = amqp_read_message(conn_, kChannel, &message, 0);
  check(reply, "read a delivery");
  std::string body = text(message.body);
  amqp_destroy_message(&message);
  return body;
}

void AmqpConnection::wait(const Wakeup& wakeup, std::chrono::milliseconds timeout) {
  using namespace std::chrono;
  const auto now = steady_clock::now();
  if (heartbeat_.count() > 0) {
    // The broker sends a heartbeat every interval when it has nothing else to say.
    if (now - last_heard_ > 2 * heartbeat_) {
      broken_ = true;
      throw AmqpError("no heartbeat from the broker for " + std::to_string(2 * heartbeat_.count()) +
                      " s");
    }
    timeout = std::min(timeout, duration_cast<milliseconds>(heartbeat_) / 4);
  }
  if (amqp_data_in_buffer(conn_) || amqp_frames_enqueued(conn_)) return;
  pollfd fds[2] = {{amqp_get_sockfd(conn_), POLLIN, 0}, {wakeup.fd(), POLLIN, 0}};
  const int n = ::poll(fds, 2, static_cast<int>(std::max<std::int64_t>(timeout.count(), 0)));
  if (n < 0 && errno != EINTR) {
    broken_ = true;
    throw AmqpError("poll on the broker socket failed");
  }
  if (n > 0 && fds[0].revents != 0) last_heard_ = steady_clock::now();
}

bool AmqpConnection::next_frame(amqp_frame_t& frame) {
  timeval zero{};
  const int status = amqp_simple_wait_frame_noblock(conn_, &frame, &zero);
  if (status == AMQP_STATUS_TIMEOUT) return false;
  if (status != AMQP_STATUS_OK) fail_status(status, "read from the broker");
  last_heard_ = std::chrono::steady_clock::now();
  if (frame.frame_type == AMQP_FRAME_METHOD) {
    const auto& m = frame.payload.method;
    if (m.id == AMQP_CONNECTION_CLOSE_METHOD || m.id == AMQP_CHANNEL_CLOSE_METHOD) {
      amqp_rpc_reply_t reply{};
      reply.reply_type = AMQP_RESPONSE_SERVER_EXCEPTION;
      reply.reply = m;
      check(reply, "receive");
    }
  }
  return true;
}

void AmqpConnection::release_buffers() { amqp_maybe_release_buffers(conn_); }

int AmqpConnection::socket_fd() const { return amqp_get_sockfd(conn_); }

}  // namespace levain::bus
