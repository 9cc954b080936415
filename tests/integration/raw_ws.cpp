#include "raw_ws.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace levain::integration {

namespace {
// Any mask will do: the server unmasks whatever it is.
constexpr unsigned char kMask[4] = {0x12, 0x34, 0x56, 0x78};
}  // namespace

RawWs::RawWs(std::uint16_t port, const std::string& target, RawWsOptions options) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) {
    error_ = "socket: " + std::string(std::strerror(errno));
    return;
  }
  if (options.receive_buffer_bytes) {
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &*options.receive_buffer_bytes, sizeof(int));
  }
  if (options.max_segment_bytes) {
    ::setsockopt(fd_, IPPROTO_TCP, TCP_MAXSEG, &*options.max_segment_bytes, sizeof(int));
  }
  timeval tv{};
  tv.tv_sec = options.deadline.count();
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    error_ = "connect: " + std::string(std::strerror(errno));
    return;
  }
  const std::string request = "GET " + target +
                              " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\n"
                              "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
  if (::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    error_ = "send upgrade: " + std::string(std::strerror(errno));
    return;
  }
  std::size_t end = std::string::npos;
  while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!fill()) return;
  }
  const auto head = buffer_.substr(0, end);
  buffer_.erase(0, end + 4);
  if (head.rfind("HTTP/1.1 101", 0) != 0) {
    error_ = "no 101: " + head.substr(0, head.find("\r\n"));
    return;
  }
  ok_ = true;
}

RawWs::~RawWs() {
  if (fd_ >= 0) ::close(fd_);
}

bool RawWs::fill() {
  char chunk[4096];
  const auto n = ::recv(fd_, chunk, sizeof chunk, 0);
  if (n > 0) {
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }
  error_ = n == 0 ? "connection closed" : "recv: " + std::string(std::strerror(errno));
  return false;
}

std::string RawWs::frame(std::uint8_t op, std::string_view payload, bool fin) {
  std::string frame;
  frame += static_cast<char>((fin ? 0x80 : 0x00) | op);
  const auto n = payload.size();
  if (n < 126) {
    frame += static_cast<char>(0x80 | n);
  } else {
    frame += static_cast<char>(0x80 | 126);
    frame += static_cast<char>((n >> 8) & 0xff);
    frame += static_cast<char>(n & 0xff);
  }
  frame.append(reinterpret_cast<const char*>(kMask), 4);
  for (std::size_t i = 0; i < n; ++i) frame += static_cast<char>(payload[i] ^ kMask[i % 4]);
  return frame;
}

bool RawWs::send_bytes(const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const auto r = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (r <= 0) {
      error_ = "send: " + std::string(r == 0 ? "nothing sent" : std::strerror(errno));
      return false;
    }
    sent += static_cast<std::size_t>(r);
  }
  return true;
}

bool RawWs::send(std::uint8_t op, std::string_view payload, bool fin) {
  return send_bytes(frame(op, payload, fin));
}

bool RawWs::send_many(std::uint8_t op, std::string_view payload, int count) {
  const auto one = frame(op, payload, true);
  std::string all;
  all.reserve(one.size() * static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) all += one;
  return send_bytes(all);
}

bool RawWs::send_close(std::uint16_t code, std::string_view reason) {
  std::string payload;
  payload += static_cast<char>(code >> 8);
  payload += static_cast<char>(code & 0xff);
  payload += reason;
  return send(opcode::close, payload);
}

std::optional<RawWs::Frame> RawWs::read_frame() {
  while (buffer_.size() < 2) {
    if (!fill()) return std::nullopt;
  }
  const auto b1 = static_cast<unsigned char>(buffer_[1]);
  std::size_t header = 2;
  std::uint64_t length = b1 & 0x7f;
  const std::size_t extra = length == 126 ? 2 : length == 127 ? 8 : 0;
  while (buffer_.size() < header + extra) {
    if (!fill()) return std::nullopt;
  }
  if (extra > 0) {
    length = 0;
    for (std::size_t i = 0; i < extra; ++i) {
      length = (length << 8) | static_cast<unsigned char>(buffer_[2 + i]);
    }
  }
  header += extra;  // a server never masks
  while (buffer_.size() < header + length) {
    if (!fill()) return std::nullopt;
  }
  Frame f;
  f.fin = (static_cast<unsigned char>(buffer_[0]) & 0x80) != 0;
  f.opcode = static_cast<unsigned char>(buffer_[0]) & 0x0f;
  f.payload = buffer_.substr(header, length);
  buffer_.erase(0, header + length);
  return f;
}

std::optional<int> RawWs::read_close_code() {
  while (auto f = read_frame()) {
    if (f->opcode != opcode::close) continue;
    if (f->payload.size() < 2) return 1005;
    return (static_cast<unsigned char>(f->payload[0]) << 8) |
           static_cast<unsigned char>(f->payload[1]);
  }
  return std::nullopt;
}

}  // namespace levain::integration
