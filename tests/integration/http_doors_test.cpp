// The replica and the gateway are two doors to the same API and must behave as one: the same
// method rules (HEAD like GET without a body, 405 in JSON with Allow), and the same bound on the
// time to send headers on every request of a kept-alive connection, not only the first.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <cctype>
#include <chrono>
#include <optional>

#include "harness/fixture.hpp"

namespace levain::integration {
namespace {

using Clock = std::chrono::steady_clock;

/// A plain socket, so a test can send what a normal client would not: bytes one at a time.
class RawConnection {
 public:
  explicit RawConnection(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  }
  ~RawConnection() { ::close(fd_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }
  /// False once the peer has closed (EPIPE, reset).
  bool send(std::string_view bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }
  /// Reads what arrives within `wait`; false when the peer closed the connection.
  bool read_for(std::chrono::milliseconds wait) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(wait.count())) <= 0) return true;
    char buf[8192];
    const auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
    received_.append(buf, static_cast<std::size_t>(n));
    return true;
  }
  /// Reads until the peer closes; false if the deadline passes first.
  bool read_to_close(std::chrono::seconds deadline) {
    const auto end = Clock::now() + deadline;
    while (Clock::now() < end) {
      if (!read_for(std::chrono::milliseconds(200))) return true;
    }
    return false;
  }
  std::string& received() { return received_; }

 private:
  int fd_;
  bool connected_ = false;
  std::string received_;
};

struct RawResponse {
  int status = 0;
  std::string head;  // status line and headers, lower-cased
  std::string body;
  std::optional<std::string> header(const std::string& name) const {
    const auto at = head.find("\r\n" + name + ": ");
    if (at == std::string::npos) return std::nullopt;
    const auto from = at + name.size() + 4;
    return head.substr(from, head.find("\r\n", from) - from);
  }
};

/// Splits the first response off `bytes` (the body by Content-Length; HEAD answers have none).
std::optional<RawResponse> take_response(std::string& bytes, bool head_request) {
  const auto end = bytes.find("\r\n\r\n");
  if (end == std::string::npos || bytes.size() < 12) return std::nullopt;
  RawResponse r;
  r.head = bytes.substr(0, end + 2);
  for (auto& c : r.head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  r.status = std::stoi(bytes.substr(9, 3));
  const auto length = r.header("content-length");
  const std::size_t n = head_request || !length ? 0 : std::stoul(*length);
  if (bytes.size() < end + 4 + n) return std::nullopt;
  r.body = bytes.substr(end + 4, n);
  bytes.erase(0, end + 4 + n);
  return r;
}

/// One request on its own connection, read until the server closes it.
RawResponse exchange(std::uint16_t port, const std::string& method, const std::string& target,
                     const std::string& tok) {
  RawConnection c(port);
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  if (!tok.empty()) req += "Authorization: Bearer " + tok + "\r\n";
  EXPECT_TRUE(c.connected() && c.send(req + "\r\n"));
  EXPECT_TRUE(c.read_to_close(std::chrono::seconds(60))) << method << " " << target;
  const bool head = method == "HEAD";
  auto r = take_response(c.received(), head);
  EXPECT_TRUE(r.has_value()) << method << " " << target << ": " << c.received();
  if (head) {
    EXPECT_TRUE(c.received().empty()) << "a HEAD answer has no body: " << c.received();
  }
  return r.value_or(RawResponse{});
}

/// `error.FIELD` of a JSON error body; empty when the body is not one.
std::string error_field(const std::string& body, const char* field) {
  boost::system::error_code ec;
  const auto v = boost::json::parse(body, ec);
  const auto* error = !ec && v.is_object() ? v.as_object().if_contains("error") : nullptr;
  const auto* f =
      error != nullptr && error->is_object() ? error->as_object().if_contains(field) : nullptr;
  return f != nullptr && f->is_string() ? std::string(f->as_string()) : std::string();
}

class HttpDoorsTest : public LevainTest {};

TEST_F(HttpDoorsTest, BothDoorsFollowTheSameMethodRules) {
  auto& replica = start_server();
  auto& gw = start_gateway({replica.port()});
  const auto tok = token({"bakery"});
  const std::string t = "/api/v1/tenants/bakery";
  const std::string jobs = t + "/training/jobs";
  struct Cell {
    std::string method, path;
    int status;
  };
  const std::vector<Cell> table = {{"GET", "/healthz", 200},
                                   {"HEAD", "/healthz", 200},
                                   {"POST", "/healthz", 405},
                                   {"BREW", "/healthz", 405},
                                   {"OPTIONS", "/healthz", 405},
                                   {"HEAD", "/readyz", 200},
                                   {"DELETE", "/readyz", 405},
                                   {"HEAD", "/metrics", 200},
                                   {"PUT", "/metrics", 405},
                                   {"GET", jobs, 200},
                                   {"HEAD", jobs, 200},
                                   {"DELETE", jobs, 405},
                                   {"BREW", jobs, 405},
                                   {"HEAD", t + "/holidays", 200},
                                   {"POST", t + "/holidays", 405},
                                   {"HEAD", t + "/models", 200},
                                   {"PATCH", t + "/models", 405},
                                   {"OPTIONS", t + "/models", 405},
                                   {"GET", "/api/v1/nope", 404},
                                   {"BREW", "/api/v1/nope", 404}};
  for (const auto& cell : table) {
    const auto name = cell.method + " " + cell.path;
    const auto direct = exchange(replica.port(), cell.method, cell.path, tok);
    const auto via = exchange(gw.port(), cell.method, cell.path, tok);
    EXPECT_EQ(direct.status, cell.status) << name << " direct: " << direct.head << direct.body;
    EXPECT_EQ(via.status, cell.status) << name << " via the gateway: " << via.head << via.body;
    if (cell.status >= 400) {
      EXPECT_FALSE(error_field(direct.body, "message").empty()) << name << ": " << direct.body;
      EXPECT_FALSE(error_field(via.body, "message").empty()) << name << ": " << via.body;
    }
    if (cell.status == 405) {
      EXPECT_EQ(error_field(via.body, "code"), "method_not_allowed") << name;
      EXPECT_TRUE(direct.header("allow").has_value()) << name << ": " << direct.head;
      EXPECT_EQ(direct.header("allow"), via.header("allow")) << name;
    }
  }
  // HEAD says how long the GET's body is, without sending it, on both doors.
  for (const auto port : {replica.port(), gw.port()}) {
    for (const std::string& path : {std::string("/healthz"), jobs}) {
      const auto get = exchange(port, "GET", path, tok);
      const auto head = exchange(port, "HEAD", path, tok);
      EXPECT_EQ(head.header("content-length"), std::to_string(get.body.size()))
          << path << " on port " << port << ": " << head.head;
    }
  }
}

class SlowHeadersTest : public LevainTest {
 protected:
  static constexpr std::string_view kRequest = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

  /// A first request answered on a kept-alive connection, then the next request's headers one
  /// byte at a time: the server must close within the header timeout (2 s here), long before its
  /// 60 s idle time. Returns whether it closed before the deadline.
  static bool closes_a_slow_second_request(std::uint16_t port) {
    RawConnection c(port);
    EXPECT_TRUE(c.connected() && c.send(kRequest));
    std::optional<RawResponse> first;
    const auto answered_by = Clock::now() + std::chrono::seconds(60);
    while (!first && Clock::now() < answered_by && c.read_for(std::chrono::milliseconds(200))) {
      first = take_response(c.received(), false);
    }
    EXPECT_TRUE(first.has_value()) << c.received();
    EXPECT_EQ(first ? first->status : 0, 200);
    const std::string slow = "GET /healthz HTTP/1.1\r\nX-Slow: " + std::string(1000, 'a');
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    for (std::size_t i = 0; Clock::now() < deadline; ++i) {
      if (!c.send(slow.substr(i % slow.size(), 1))) return true;
      if (!c.read_for(std::chrono::milliseconds(250))) return true;
    }
    return false;
  }

  /// The bound does not cost kept-alive clients anything: a second request sent at once, and
  /// two pipelined in one write, are answered on the same connection.
  static void keeps_prompt_requests(std::uint16_t port) {
    RawConnection c(port);
    ASSERT_TRUE(c.connected());
    int answered = 0;
    for (const auto& burst :
         {std::string(kRequest), std::string(kRequest) + std::string(kRequest)}) {
      ASSERT_TRUE(c.send(burst));
      const int want = answered + static_cast<int>(burst.size() / kRequest.size());
      const auto deadline = Clock::now() + std::chrono::seconds(60);
      while (answered < want && Clock::now() < deadline) {
        if (auto r = take_response(c.received(), false)) {
          EXPECT_EQ(r->status, 200);
          ++answered;
          continue;
        }
        ASSERT_TRUE(c.read_for(std::chrono::milliseconds(200))) << "closed after " << answered;
      }
      ASSERT_EQ(answered, want);
    }
  }
};

TEST_F(SlowHeadersTest, EveryRequestOnAConnectionGetsTheHeaderTimeout) {
  auto& replica = start_server({"--header-timeout", "2"});
  auto& gw = start_gateway({replica.port()}, {"--header-timeout", "2"});
  EXPECT_TRUE(closes_a_slow_second_request(replica.port())) << "the replica held the connection";
  EXPECT_TRUE(closes_a_slow_second_request(gw.port())) << "the gateway held the connection";
  keeps_prompt_requests(replica.port());
  keeps_prompt_requests(gw.port());
}

}  // namespace
}  // namespace levain::integration

namespace levain::integration {
namespace {

TEST(CorsFlag, AnOriginThatIsNotExactIsAUsageError) {
  const auto r = run_levain({"gateway", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:9",
                             "--jwt-secret", "s", "--cors-origin", "https://shop.example/"});
  EXPECT_TRUE(r.status.exited && r.status.code != 0) << r.status.describe();
  EXPECT_NE(r.err.find("--cors-origin"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("trailing slash"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace levain::integration
