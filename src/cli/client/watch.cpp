// The only live translation unit of the client (Beast is slow to compile): one connection
// attempt at a time, over a WebSocket or an event stream, driven by detail::run_until on the
// calling thread.
#include "cli/client/watch.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/parse.hpp>
#include <random>
#include <thread>
#include <type_traits>

#include "cli/client/close_policy.hpp"
#include "cli/client/connect_until.hpp"
#include "cli/client/endpoint.hpp"
#include "cli/client/live_state.hpp"
#include "cli/client/run_until.hpp"
#include "cli/client/terminal.hpp"
#include "cli/client/tls.hpp"
#include "cli/client/watch_display.hpp"
#include "common/live/sse_message.hpp"
#include "common/live/sse_parser.hpp"

namespace levain::cli {
namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxMessageBytes = 64u << 20;  // a snapshot of a very large job still fits

struct AttemptEnd {
  enum class Kind { finished, refused, retry } kind = Kind::retry;
  bool connected = false;  // a snapshot arrived: the server is reachable and the job exists
  std::string why;
  bool gap = false;  // events were missed: the next connection must not resume
};

class Watcher {
 public:
  Watcher(const WatchOptions& options, Endpoint endpoint, WatchDisplay& display)
      : options_(options),
        endpoint_(std::move(endpoint)),
        tls_(endpoint_.tls ? std::optional<net::ssl::context>(make_tls_context(endpoint_))
                           : std::nullopt),
        display_(display),
        rng_(std::random_device{}()) {
    target_ = endpoint_.base_path + tenant_path(options_.tenant) + "/training/jobs/" +
              percent_encode(options_.job) + "/live?token=" + percent_encode(options_.token);
  }

  int run() {
    int failures = 0;
    for (;;) {
      AttemptEnd end = attempt();
      // Resume after what was folded, unless events went missing: then a fresh snapshot.
      resume_from_ = end.gap || !state_.has_snapshot() ? 0 : state_.seq();
      if (end.kind == AttemptEnd::Kind::finished) {
        display_.result(state_);
        return exit_code_for_status(state_.status());
      }
      if (end.kind == AttemptEnd::Kind::refused) {
        display_.error(end.why);
        return 2;
      }
      failures = end.connected ? 1 : failures + 1;
      if (options_.max_attempts > 0 && !end.connected && failures >= options_.max_attempts) {
        display_.error("giving up after " + std::to_string(failures) + " attempt(s): " + end.why);
        return 2;
      }
      // The server's own hint (a 4029's retry_after_s) goes before our backoff.
      const auto delay = wait_hint_.value_or(backoff(failures));
      wait_hint_.reset();
      display_.notice(end.why + "; reconnecting in " + std::to_string(delay.count()) + " ms");
      std::this_thread::sleep_for(delay);
    }
  }

 private:
  // Exponential, capped, with jitter in [base/2, base] so many watchers do not reconnect in step.
  std::chrono::milliseconds backoff(int failures) {
    const auto initial = std::max<std::int64_t>(options_.initial_backoff.count(), 1);
    const auto cap = std::max<std::int64_t>(options_.max_backoff.count(), initial);
    std::int64_t base = initial;
    for (int i = 1; i < failures && base < cap; ++i) base *= 2;
    base = std::min(base, cap);
    std::uniform_int_distribution<std::int64_t> jitter(base / 2, base);
    return std::chrono::milliseconds(jitter(rng_));
  }

  AttemptEnd attempt() {
    net::io_context ioc;
    const bool sse = options_.transport == LiveTransport::sse;
    if (!tls_) {
      if (sse) {
        beast::tcp_stream stream(ioc);
        return sse_attempt_on(ioc, stream);
      }
      websocket::stream<beast::tcp_stream> ws(ioc);
      return attempt_on(ioc, ws);
    }
    if (sse) {
      TlsStream stream(ioc, *tls_);
      return sse_attempt_on(ioc, stream);
    }
    websocket::stream<TlsStream> ws(ioc, *tls_);
    return attempt_on(ioc, ws);
  }

  /// The path, the token, and `since` once something was folded (docs/live-protocol.md,
  /// "Resume"): the server then sends only the events missed, or a snapshot if it cannot.
  std::string target() const {
    return resume_from_ > 0 ? target_ + "&since=" + std::to_string(resume_from_) : target_;
  }

  /// TCP connect, then the TLS handshake for https/wss. Nullopt once the stream is open.
  template <class Stream>
  std::optional<AttemptEnd> open_stream(net::io_context& ioc, Stream& stream,
                                        Clock::time_point deadline) {
    auto& socket = beast::get_lowest_layer(stream);
    const auto close_socket = [&socket] { socket.close(); };
    const auto until_connected = [deadline] { return deadline; };
    const std::string where = origin(endpoint_);
    auto connected =
        detail::connect_until(ioc, socket, endpoint_.host, endpoint_.port, until_connected);
    if (connected.ec) {
      return retry(std::string(connected.step) + " " + where +
                   " failed: " + connected.ec.message());
    }
    if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
      prepare_tls(stream, endpoint_);
      const auto ec = detail::run_until(
          ioc,
          [&](detail::Completion done) {
            stream.async_handshake(net::ssl::stream_base::client, done);
          },
          until_connected, close_socket);
      if (ec == beast::error::timeout) return retry("TLS handshake with " + where + " timed out");
      if (ec) {
        auto failure = describe_tls_failure(ec, stream, endpoint_);
        // An untrusted certificate stays untrusted: asking again cannot help.
        return failure.untrusted ? AttemptEnd{AttemptEnd::Kind::refused, false, failure.message}
                                 : retry(std::move(failure.message));
      }
    }
    return std::nullopt;
  }

  /// What an HTTP status instead of the live stream means: a 5xx is the server's own trouble
  /// (a gateway without upstream), worth retrying; anything else is a refusal.
  static AttemptEnd refused_with_status(int status, const std::string& body, const char* what) {
    std::string why =
        std::string("server refused the ") + what + " with HTTP " + std::to_string(status);
    if (!body.empty()) why += ": " + body.substr(0, 300);
    return status >= 500 ? retry(std::move(why))
                         : AttemptEnd{AttemptEnd::Kind::refused, false, why};
  }

  template <class Ws>
  AttemptEnd attempt_on(net::io_context& ioc, Ws& ws) {
    auto& socket = beast::get_lowest_layer(ws);
    const auto connect_deadline = Clock::now() + options_.connect_timeout;
    if (auto failed = open_stream(ioc, ws.next_layer(), connect_deadline)) return *failed;

    websocket::response_type response;
    ws.read_message_max(kMaxMessageBytes);
    ws.set_option(websocket::stream_base::decorator([](websocket::request_type& request) {
      request.set(beast::http::field::user_agent, "levain-cli");
    }));
    const auto ec = detail::run_until(
        ioc,
        [&](detail::Completion done) {
          ws.async_handshake(response, host_header(endpoint_), target(), done);
        },
        [connect_deadline] { return connect_deadline; }, [&socket] { socket.close(); });
    if (ec == websocket::error::upgrade_declined) {
      return refused_with_status(response.result_int(), response.body(), "WebSocket upgrade");
    }
    if (ec) {
      return retry("WebSocket handshake with " + origin(endpoint_) + " failed: " + ec.message());
    }
    return read_messages(ioc, ws);
  }

  /// The end of a connection the server closed with `code` (a close frame, or `event: close`).
  AttemptEnd closed_with(int code, std::string_view reason, bool connected) {
    const std::string text = describe_close(code, reason);
    switch (close_action(code)) {
      case CloseAction::refuse:
        return {AttemptEnd::Kind::refused, connected, text};
      case CloseAction::finish:
        return {AttemptEnd::Kind::retry, connected,
                "server closed the connection (1000) before the job ended"};
      case CloseAction::reconnect:
        break;
    }
    wait_hint_ = retry_hint(code, reason);
    return {AttemptEnd::Kind::retry, connected, text};
  }

  AttemptEnd read_timed_out(bool connected) const {
    return {
        AttemptEnd::Kind::retry, connected,
        "no message from the server for " + std::to_string(options_.read_timeout.count()) + " ms"};
  }

  template <class Ws>
  AttemptEnd read_messages(net::io_context& ioc, Ws& ws) {
    auto& socket = beast::get_lowest_layer(ws);
    auto last_frame = Clock::now();
    // Protocol pings count as life: a quiet job (a long fit) must not look like a dead server.
    ws.control_callback(
        [&last_frame](websocket::frame_type, beast::string_view) { last_frame = Clock::now(); });
    // After the terminal event only the closing handshake remains; do not wait long for it.
    std::optional<Clock::time_point> end_deadline;
    const auto deadline = [&] {
      const auto idle = last_frame + options_.read_timeout;
      return end_deadline ? std::min(idle, *end_deadline) : idle;
    };
    bool connected = false;
    beast::flat_buffer buffer;
    for (;;) {
      buffer.clear();
      const auto ec = detail::run_until(
          ioc, [&](detail::Completion done) { ws.async_read(buffer, done); }, deadline,
          [&socket] { socket.close(); });
      if (state_.terminal() && connected) {
        return {AttemptEnd::Kind::finished, true, ""};
      }
      if (ec == websocket::error::closed) {
        const auto& reason = ws.reason();
        return closed_with(reason.code,
                           std::string_view(reason.reason.data(), reason.reason.size()), connected);
      }
      if (ec == beast::error::timeout) return read_timed_out(connected);
      if (ec) {
        return {AttemptEnd::Kind::retry, connected, describe_close(kAbnormalClosure, ec.message())};
      }
      last_frame = Clock::now();
      if (!ws.got_text()) {
        display_.notice("ignoring a binary message (" + std::to_string(buffer.size()) + " bytes)");
        continue;
      }
      const std::string_view text(static_cast<const char*>(buffer.data().data()), buffer.size());
      if (auto gap = handle_text(text, connected)) {
        return {AttemptEnd::Kind::retry, true, *gap, true};
      }
      if (state_.terminal() && connected && !end_deadline) {
        end_deadline = Clock::now() + options_.connect_timeout;
      }
    }
  }

  /// The same watch over Server-Sent Events: a GET of the live path, then `data:` messages and
  /// `event: close` where a WebSocket would send its close frame. Heartbeat comments count as
  /// life like protocol pings.
  template <class Stream>
  AttemptEnd sse_attempt_on(net::io_context& ioc, Stream& stream) {
    auto& socket = beast::get_lowest_layer(stream);
    const auto close_socket = [&socket] { socket.close(); };
    const auto connect_deadline = Clock::now() + options_.connect_timeout;
    const auto until_connected = [connect_deadline] { return connect_deadline; };
    if (auto failed = open_stream(ioc, stream, connect_deadline)) return *failed;

    beast::http::request<beast::http::empty_body> request{beast::http::verb::get, target(), 11};
    request.set(beast::http::field::host, host_header(endpoint_));
    request.set(beast::http::field::accept, "text/event-stream");
    request.set(beast::http::field::user_agent, "levain-cli");
    auto ec = detail::run_until(
        ioc, [&](detail::Completion done) { beast::http::async_write(stream, request, done); },
        until_connected, close_socket);
    beast::flat_buffer buffer;
    beast::http::response_parser<beast::http::string_body> head;
    if (!ec) {
      ec = detail::run_until(
          ioc,
          [&](detail::Completion done) {
            beast::http::async_read_header(stream, buffer, head, done);
          },
          until_connected, close_socket);
    }
    if (ec) {
      return retry("event stream request to " + origin(endpoint_) + " failed: " + ec.message());
    }
    if (head.get().result_int() != 200) {
      // The answer's body (the JSON error) is short; read what of it came with the head.
      const auto& b = buffer.cdata();
      return refused_with_status(head.get().result_int(),
                                 std::string(static_cast<const char*>(b.data()), b.size()),
                                 "event stream");
    }
    common::live::SseParser parser;
    std::vector<common::live::SseEvent> events;
    auto last_bytes = Clock::now();
    bool connected = false;
    std::string_view leftover(static_cast<const char*>(buffer.cdata().data()), buffer.size());
    std::array<char, 16384> chunk{};
    for (;;) {
      if (!parser.feed(leftover, events)) {
        return retry("an event stream line over " + std::to_string(kMaxMessageBytes) + " bytes");
      }
      for (const auto& event : events) {
        if (event.event == "close") {
          if (state_.terminal() && connected) return {AttemptEnd::Kind::finished, true, ""};
          const auto close = common::live::parse_sse_close(event.data);
          if (!close) return closed_with(kAbnormalClosure, "a malformed close event", connected);
          return closed_with(close->code, close->reason, connected);
        }
        if (auto gap = handle_text(event.data, connected)) {
          return {AttemptEnd::Kind::retry, true, *gap, true};
        }
      }
      events.clear();
      // The terminal event is all a watch needs: the close that follows is a formality.
      if (state_.terminal() && connected) return {AttemptEnd::Kind::finished, true, ""};
      std::size_t n = 0;
      ec = detail::run_until(
          ioc,
          [&](detail::Completion done) {
            stream.async_read_some(net::buffer(chunk), [done = std::move(done), &n](
                                                           beast::error_code e, std::size_t got) {
              n = got;
              done(e, got);
            });
          },
          [&] { return last_bytes + options_.read_timeout; }, close_socket);
      if (ec == beast::error::timeout) return read_timed_out(connected);
      if (ec && n == 0) {
        return {AttemptEnd::Kind::retry, connected,
                "the event stream ended without event: close (" + ec.message() + ")"};
      }
      last_bytes = Clock::now();
      leftover = std::string_view(chunk.data(), n);
    }
  }

  // Folds one message; returns a reason when the connection must be replaced (missed events).
  std::optional<std::string> handle_text(std::string_view text, bool& connected) {
    boost::system::error_code parse_error;
    const auto value = boost::json::parse(text, parse_error);
    if (parse_error || !value.is_object()) {
      display_.notice("ignoring a message that is not a JSON object (" +
                      std::to_string(text.size()) + " bytes)");
      return std::nullopt;
    }
    const boost::json::object& message = value.get_object();
    const std::int64_t before = state_.seq();
    const LiveState::Apply applied = state_.apply(message);
    // A stale snapshot (duplicate_or_old) still proves the server knows the job.
    if (is_connected_message(message) &&
        (applied == LiveState::Apply::applied || applied == LiveState::Apply::duplicate_or_old)) {
      connected = true;
    }
    switch (applied) {
      case LiveState::Apply::applied:
        display_.show(state_);
        break;
      case LiveState::Apply::gap:
        return "missed events after seq " + std::to_string(before);
      case LiveState::Apply::malformed:
        display_.notice("ignoring a malformed message: " + state_.problem());
        break;
      case LiveState::Apply::duplicate_or_old:
      case LiveState::Apply::ignored:
        break;
    }
    return std::nullopt;
  }

  static bool is_connected_message(const boost::json::object& message) {
    const boost::json::value* type = message.if_contains("type");
    return type != nullptr && type->is_string() && type->get_string() == "connected";
  }

  static AttemptEnd retry(std::string why) {
    return {AttemptEnd::Kind::retry, false, std::move(why)};
  }

  const WatchOptions& options_;
  Endpoint endpoint_;
  std::optional<net::ssl::context> tls_;  // one context, hence one CA load, for every attempt
  WatchDisplay& display_;
  std::mt19937_64 rng_;
  std::optional<std::chrono::milliseconds> wait_hint_;  // from the last close, for the next wait
  std::string target_;
  std::int64_t resume_from_ = 0;  // the seq the next connection resumes after (0: none)
  LiveState state_;
};

}  // namespace

int run_watch(const WatchOptions& options, std::ostream& out, std::ostream& err) {
  std::string error;
  auto endpoint = parse_endpoint(options.url, &error);
  if (!endpoint) {
    err << "levain watch: " << error << '\n';
    return 2;
  }
  endpoint->ca_file = options.ca_file;
  if (options.tenant.empty() || options.job.empty()) {
    err << "levain watch: a tenant and a job id are required\n";
    return 2;
  }
  const bool redraw = options.redraw.value_or(is_terminal(out));
  WatchDisplay display(out, err, redraw, options.quiet, redraw ? terminal_width(out, 80) : 120);
  std::optional<Watcher> watcher;
  try {
    watcher.emplace(options, std::move(*endpoint), display);
  } catch (const std::exception& e) {
    display.error(e.what());  // an unusable --ca-file
    return 2;
  }
  try {
    return watcher->run();
  } catch (const std::exception& e) {
    display.error(std::string("unexpected error: ") + e.what());
    return 2;
  }
}

}  // namespace levain::cli
