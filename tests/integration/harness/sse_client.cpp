#include "sse_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/parse.hpp>
#include <sstream>

#include "client_socket.hpp"

namespace levain::integration {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct SseClient::Impl {
  asio::io_context ioc;
  tcp::socket socket{ioc};

  /// Runs one operation to completion or the deadline (then closes the socket: nullopt).
  template <class Start>
  std::optional<boost::system::error_code> run(std::chrono::seconds deadline, Start start,
                                               std::size_t* bytes = nullptr) {
    bool done = false;
    boost::system::error_code result;
    start([&](boost::system::error_code ec, std::size_t n = 0) {
      done = true;
      result = ec;
      if (bytes) *bytes = n;
    });
    ioc.restart();
    ioc.run_for(deadline);
    if (done) return result;
    boost::system::error_code ignored;
    socket.close(ignored);
    ioc.restart();
    ioc.run();
    return std::nullopt;
  }
};

SseClient::SseClient(std::uint16_t port, const std::string& target, SseOptions options)
    : impl_(std::make_unique<Impl>()), options_(std::move(options)) {
  auto& sock = impl_->socket;
  boost::system::error_code ec;
  open_client_socket(sock, options_.receive_buffer_bytes, options_.max_segment_bytes, ec);
  const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
  auto r = ec ? std::optional(ec) : impl_->run(options_.read_deadline, [&](auto h) {
    sock.async_connect(ep, [h = std::move(h)](boost::system::error_code e) mutable { h(e); });
  });
  std::ostringstream request;
  request << "GET " << target << " HTTP/1.1\r\nHost: 127.0.0.1:" << port
          << "\r\nAccept: text/event-stream\r\n";
  for (const auto& [name, value] : options_.headers) request << name << ": " << value << "\r\n";
  request << "\r\n";
  const auto text = request.str();
  if (r && !*r) {
    r = impl_->run(options_.read_deadline,
                   [&](auto h) { asio::async_write(sock, asio::buffer(text), std::move(h)); });
  }
  if (!r || *r) {
    ended_ = true;
    end_.error = r ? "connect: " + r->message() : "connect timed out";
    return;
  }
  while (buffer_.find("\r\n\r\n") == std::string::npos) {
    if (!fill()) {
      end_.error = "no response head: " + end_.error;
      return;
    }
  }
  const auto at = buffer_.find("\r\n\r\n");
  head_ = buffer_.substr(0, at + 4);
  buffer_.erase(0, at + 4);
  if (head_.rfind("HTTP/1.1 ", 0) == 0) status_ = std::atoi(head_.c_str() + 9);
  if (status_ != 200) {
    ended_ = true;
    end_.error = "HTTP " + std::to_string(status_) + ": " + head_ + buffer_;
  }
}

SseClient::~SseClient() { cut(); }

void SseClient::cut() {
  boost::system::error_code ignored;
  impl_->socket.close(ignored);
}

bool SseClient::fill() {
  char chunk[16384];
  std::size_t n = 0;
  auto r = impl_->run(
      options_.read_deadline,
      [&](auto h) { impl_->socket.async_read_some(asio::buffer(chunk), std::move(h)); }, &n);
  if (!r) {
    ended_ = true;
    end_.error = "nothing within " + std::to_string(options_.read_deadline.count()) + " s";
    return false;
  }
  buffer_.append(chunk, n);
  if (*r) {
    ended_ = true;
    end_.error = "stream ended without event: close (" + r->message() + ")";
    return false;
  }
  return true;
}

std::optional<boost::json::value> SseClient::next() {
  while (!ended_ || buffer_.find("\n\n") != std::string::npos) {
    const auto at = buffer_.find("\n\n");
    if (at == std::string::npos) {
      fill();  // at the end, what is left in the buffer is still read
      continue;
    }
    const auto block = buffer_.substr(0, at + 1);
    buffer_.erase(0, at + 2);
    SseMessage m;
    bool has_data = false;
    std::istringstream lines(block);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.empty()) continue;
      if (line[0] == ':') {
        ++comments_;
        continue;
      }
      const auto colon = line.find(':');
      const auto field = line.substr(0, colon);
      auto value = colon == std::string::npos ? "" : line.substr(colon + 1);
      if (!value.empty() && value[0] == ' ') value.erase(0, 1);
      if (field == "id") m.id = value;
      if (field == "event") m.event = value;
      if (field == "data") {
        if (has_data) m.data += '\n';
        m.data += value;
        has_data = true;
      }
    }
    if (!has_data) continue;  // a comment block
    boost::system::error_code ec;
    auto v = boost::json::parse(m.data, ec);
    if (ec) v = boost::json::string("<not json> " + m.data);
    if (m.event == "close") {
      ended_ = true;
      const auto* o = v.if_object();
      const auto* code = o ? o->if_contains("code") : nullptr;
      const auto* reason = o ? o->if_contains("reason") : nullptr;
      end_.code = code && code->is_int64() ? static_cast<int>(code->get_int64()) : -1;
      end_.reason = reason && reason->is_string() ? std::string(reason->get_string()) : "";
      if (end_.code < 0) end_.error = "close event without a code: " + m.data;
      cut();
      return std::nullopt;
    }
    if (m.event == "watchers") {  // not an event (no id, no seq): kept apart, like the WsClient
      watchers_.push_back(v.at("data").at("watchers").to_number<std::int64_t>());
      continue;
    }
    raw_.push_back(m);
    messages_.push_back(v);
    return v;
  }
  return std::nullopt;
}

const std::vector<boost::json::value>& SseClient::read_until_close() {
  while (next()) {
  }
  return messages_;
}

bool SseClient::read_until_type(const std::string& type, int occurrence) {
  int seen = 0;
  for (const auto& m : raw_) seen += m.event == type ? 1 : 0;
  while (seen < occurrence) {
    if (!next()) return false;
    seen += raw_.back().event == type ? 1 : 0;
  }
  return true;
}

}  // namespace levain::integration
