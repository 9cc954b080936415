// The accept loop out of file descriptors: it pauses instead of spinning (a spinning loop once
// wrote 8 GB of "accept failed" lines in ten minutes), and serves the waiting connections once
// descriptors are back. Each test runs in its own process, so lowering this process's open-files
// limit touches nothing else.
#include <gtest/gtest.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <filesystem>
#include <sstream>
#include <thread>

#include "common/http/server.hpp"

namespace levain::common::http {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

class OkHandler : public RequestHandler {
 public:
  void handle(Request&&, Responder respond) override {
    respond(json_response(Status::ok, {{"status", "ok"}}));
  }
  bool takes_over(const Request&) const override { return false; }
  void take_over(boost::beast::tcp_stream&&, Request&&, SlotPtr) override {}
};

std::uint64_t accept_errors(const MetricsRegistry& metrics) {
  std::istringstream text(metrics.render());
  for (std::string line; std::getline(text, line);) {
    const std::string name = "levain_http_accept_errors_total ";
    if (line.rfind(name, 0) == 0) return std::stoull(line.substr(name.size()));
  }
  return 0;
}

std::size_t open_descriptors() {
  return static_cast<std::size_t>(std::distance(
      std::filesystem::directory_iterator("/proc/self/fd"), std::filesystem::directory_iterator{}));
}

TEST(HttpServerAccept, OutOfDescriptorsPausesAcceptingAndServesTheWaitingOnesAfter) {
  // As `main` does: the server logs its pause through the default logger. The same kind of
  // line is logged once here with descriptors to spare: UBSan checks each dynamic type on its
  // first use through a pipe, which it cannot open once the process is out of descriptors.
  spdlog::set_default_logger(spdlog::stderr_color_mt("test"));
  spdlog::warn("warming up: {}; {} ms", std::string("no error"), HttpServer::kAcceptRetry.count());
  // Outlive the pool: its destructor destroys the sessions still queued, which use them.
  MetricsRegistry metrics;
  OkHandler handler;
  IoPool pool(1);
  HttpServer server(pool, handler, {}, metrics);
  const auto endpoint = server.listen("127.0.0.1", 0);
  pool.run();

  // The clients' sockets exist before the limit drops; connecting needs no new descriptor, and
  // the kernel completes the handshakes in the backlog whether the server accepts or not.
  net::io_context client_ioc;
  std::vector<tcp::socket> clients;
  for (int i = 0; i < 40; ++i) {
    clients.emplace_back(client_ioc);
    clients.back().open(tcp::v4());
  }
  // Every code path used under the limit runs once before it: UBSan's first check of each
  // dynamic type opens a pipe, which fails once the process is out of descriptors.
  net::io_context warm_ioc;
  tcp::socket warm(warm_ioc);
  warm.connect(endpoint);
  ASSERT_EQ(accept_errors(metrics), 0u);
  warm.close();
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
  rlimit low = saved;
  low.rlim_cur = open_descriptors() + 4;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  for (auto& c : clients) c.connect(endpoint);

  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (accept_errors(metrics) == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  const auto first_error = std::chrono::steady_clock::now();
  ASSERT_GT(accept_errors(metrics), 0u) << "the server never ran out of descriptors";
  std::this_thread::sleep_for(1s);
  const auto errors = accept_errors(metrics);
  const auto pauses = (std::chrono::steady_clock::now() - first_error) / HttpServer::kAcceptRetry;
  // At most one try per pause (a slow machine makes fewer, never more); a spin makes millions.
  EXPECT_LE(errors, static_cast<std::uint64_t>(pauses) + 2);

  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &saved), 0);
  // The last client waited in the backlog all along: it is accepted and answered now.
  auto& last = clients.back();
  net::write(last, net::buffer(std::string("GET /x HTTP/1.1\r\nHost: t\r\n\r\n")));
  net::streambuf reply;
  net::read_until(last, reply, "\r\n");
  std::string status_line;
  std::istream(&reply) >> status_line >> status_line;
  EXPECT_EQ(status_line, "200");

  for (auto& c : clients) c.close();
  server.stop();
  pool.stop();
}

}  // namespace
}  // namespace levain::common::http
