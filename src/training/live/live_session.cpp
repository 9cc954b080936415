#include "training/live/live_session.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/json/parse.hpp>
#include <cassert>
#include <charconv>
#include <memory>
#include <vector>

#include "common/ids.hpp"
#include "common/live/sse_transport.hpp"
#include "common/live/ws_transport.hpp"
#include "common/ws/handshake.hpp"
#include "training/events/event.hpp"
#include "training/live/job_feed.hpp"
#include "training/live/rate_coalescer.hpp"

namespace levain::training {

namespace net = boost::asio;
namespace beast = boost::beast;
using common::live::MessageMeta;

namespace {

constexpr std::string_view kPong = R"({"type":"pong"})";
constexpr std::string_view kUnsupported =
    R"({"type":"error","data":{"message":"unsupported client message: only 'ping' or {\"type\":\"ping\"} is accepted"}})";

bool is_ping(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  if (text == "ping") return true;
  boost::system::error_code ec;
  const auto v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) return false;
  const auto* type = v.get_object().if_contains("type");
  return type && type->is_string() && type->get_string() == "ping";
}

class LiveSession final : public LiveSink,
                          public FeedActions,
                          public common::live::TransportEvents,
                          public std::enable_shared_from_this<LiveSession> {
 public:
  LiveSession(LiveContext& ctx, common::http::SlotPtr slot, WatchRequest watch)
      : ctx_(ctx),
        slot_(std::move(slot)),
        watch_(std::move(watch)),
        feed_(*this, ctx_.limits.send_queue_bytes) {
    ctx_.sessions.add();
  }

  ~LiveSession() override {
    leave();
    ctx_.sessions.sub();
  }

  common::live::SenderMetrics sender_metrics() const {
    return {ctx_.queued_bytes, ctx_.slow_closed, &ctx_.delivered};
  }
  void attach(std::unique_ptr<common::live::Transport> transport) {
    transport_ = std::move(transport);
    // The fan-out reaches a watcher on the I/O thread it was accepted on (and only there).
    if (ctx_.io) {
      const auto shard = ctx_.io->index_of(transport_->get_executor());
      // Every live connection is accepted onto one of the pool's contexts (HttpServer).
      assert(shard < ctx_.io->size());
      shard_ = static_cast<std::uint16_t>(shard);
    }
    if (watch_.max_rate > 0) {
      folding_ = std::make_unique<Folding>(watch_.max_rate, transport_->get_executor());
    }
  }

  // --- the fan-out's side: deliver() and flush() on this session's thread (ShardDelivery) ---

  std::size_t shard() const override { return shard_; }
  void deliver(const EventPtr& event) override { feed_.event(event); }
  void flush() override { transport_->flush(); }

  // --- any thread ---

  void resnapshot() override {
    net::post(transport_->get_executor(), [self = shared_from_this()] {
      self->feed_.bus_lost();
      self->transport_->flush();
    });
  }

  void store_ahead(std::uint64_t seq) override {
    net::post(transport_->get_executor(), [self = shared_from_this(), seq] {
      self->feed_.store_ahead(seq);
      self->transport_->flush();
    });
  }

  void watchers_changed(std::size_t watchers) override {
    net::post(transport_->get_executor(), [self = shared_from_this(), watchers] {
      if (!self->feed_.live()) return;  // its `connected` is still to come, with the count
      self->transport_->send(
          encode_watchers(self->watch_.tenant, self->watch_.job_id, watchers, common::now_micros()),
          MessageMeta{0, "watchers"});
      self->transport_->flush();
    });
  }

  void shutdown(std::uint16_t code, const std::string& reason) override {
    net::post(transport_->get_executor(),
              [self = shared_from_this(), code, reason] { self->close(code, reason, false); });
  }

  // --- the transport's side ---

  void on_open() override {
    if (watch_.refusal) return close(watch_.refusal->code, watch_.refusal->reason, false);
    std::optional<std::vector<EventPtr>> replay;
    const auto caps = ctx_.watcher_caps ? ctx_.watcher_caps(watch_.tenant) : WatcherCaps{};
    const auto joined = ctx_.manager.join(watch_.job_id, watch_.tenant, shared_from_this(),
                                          watch_.since, replay, caps);
    if (joined.outcome == JoinOutcome::shut_down) {
      return close(close_code::going_away, "server shutting down", false);
    }
    if (joined.outcome != JoinOutcome::joined) {
      return close(close_code::quota_exceeded, watcher_quota_reason(joined, caps), false);
    }
    joined_ = true;
    if (watch_.since > 0) {
      feed_.resumed(watch_.since, std::move(replay));
    } else {
      feed_.joined();
    }
    transport_->flush();
  }

  void on_gone(const std::optional<beast::websocket::close_reason>&) override { stop(); }
  void on_cut() override { stop(); }

  void on_message(std::string_view text, bool is_text) override {
    transport_->send(is_text && is_ping(text) ? kPong : kUnsupported, MessageMeta{0, "pong"});
    transport_->flush();
  }

  // --- what the feed decides ---

  void read_snapshot() override {
    ctx_.load_snapshot(
        watch_.tenant, watch_.job_id,
        [self = shared_from_this()](std::optional<JobRecord> job, std::exception_ptr error) {
          net::post(self->transport_->get_executor(),
                    [self, job = std::move(job), error]() mutable {
                      self->on_snapshot(std::move(job), error);
                    });
        });
  }
  void send_snapshot() override {
    const auto message =
        encode_connected(*snapshot_, common::now_micros(), ctx_.manager.watchers(watch_.job_id));
    transport_->send(message, MessageMeta{snapshot_->seq, "connected"});
  }
  void send_resumed(std::uint64_t since) override {
    const auto message = encode_resumed(watch_.tenant, watch_.job_id, since, common::now_micros(),
                                        ctx_.manager.watchers(watch_.job_id));
    transport_->send(message, MessageMeta{since, "connected"});
  }
  void send_event(const EventPtr& event) override {
    if (!folding_) {
      transport_->send(*event->payload, MessageMeta{event->seq, event->type}, true);
      return;
    }
    fold(event);
  }
  void end(std::string reason) override { close(close_code::normal, std::move(reason), true); }
  void overflow() override {
    leave();
    transport_->cut();
  }

 private:
  void on_snapshot(std::optional<JobRecord> job, std::exception_ptr error) {
    if (transport_->closing()) return;
    if (error) {
      spdlog::error("live {}: could not read the job's snapshot", watch_.job_id);
      return close(close_code::internal_error, "could not read the job", false);
    }
    if (!job) return close(close_code::not_found, "no such job for this tenant", false);
    snapshot_ = &*job;
    const auto status = job->status;
    // What the watchers have is no news to the store check (quiet_jobs.hpp).
    if (job->seq > 0 && !is_terminal(status)) ctx_.manager.snapshot_read(watch_.job_id, job->seq);
    feed_.snapshot(job->seq, is_terminal(status) ? std::optional(to_string(status)) : std::nullopt);
    snapshot_ = nullptr;
    transport_->flush();
  }

  /// No more events: leaves the fan-out, then closes after what is queued, or at once.
  void close(std::uint16_t code, std::string reason, bool drain) {
    stop();
    transport_->close(code, std::move(reason), drain);
  }

  void stop() {
    feed_.stop();
    leave();
    if (folding_) folding_->timer.cancel();
  }

  // --- max_rate: events folded into summaries (RateCoalescer), paced by one timer ---

  struct Folding {
    Folding(double rate, const net::any_io_executor& executor) : coalescer(rate), timer(executor) {}
    RateCoalescer<EventPtr> coalescer;
    net::steady_timer timer;
    bool armed = false;
    std::vector<RateCoalescer<EventPtr>::Out> out;
    const std::chrono::steady_clock::time_point epoch = std::chrono::steady_clock::now();
    double now_s() const {
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch).count();
    }
  };

  /// The event's `data`, parsed into `holder`; null for a body that has none.
  static const boost::json::object* data_of(const OutboundEvent& event,
                                            boost::json::value& holder) {
    boost::system::error_code ec;
    holder = boost::json::parse(*event.payload, ec);
    const auto* o = ec ? nullptr : holder.if_object();
    const auto* data = o ? o->if_contains("data") : nullptr;
    return data ? data->if_object() : nullptr;
  }

  void fold(const EventPtr& event) {
    boost::json::value parsed;
    const auto* data = data_of(*event, parsed);
    const bool can_fold = data != nullptr && foldable(event->type, *data);
    folding_->coalescer.event(event->seq, can_fold, event, folding_->now_s(), folding_->out);
    send_folded();
  }

  void send_folded() {
    for (auto& out : folding_->out) {
      const auto& last = out.items.back();
      if (!out.summary) {
        transport_->send(*last->payload, MessageMeta{last->seq, last->type}, true);
        continue;
      }
      // Parsed again only now: a pending summary holds the shared buffers, not their JSON.
      std::vector<boost::json::value> holders(out.items.size());
      std::vector<const boost::json::object*> folded;
      folded.reserve(out.items.size());
      for (std::size_t i = 0; i < out.items.size(); ++i) {
        if (const auto* data = data_of(*out.items[i], holders[i])) folded.push_back(data);
      }
      const auto message = encode_message(
          {"progress_summary", watch_.job_id, watch_.tenant, out.seq, common::now_micros()},
          summary_data(folded));
      transport_->send(message, MessageMeta{out.seq, "progress_summary"});
    }
    folding_->out.clear();
    arm();
  }

  void arm() {
    const auto due = folding_->coalescer.due();
    if (!due || folding_->armed) return;
    folding_->armed = true;
    folding_->timer.expires_at(
        folding_->epoch +
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(*due)));
    folding_->timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      self->folding_->armed = false;
      if (ec || self->transport_->closing()) return;
      self->folding_->coalescer.tick(self->folding_->now_s(), self->folding_->out);
      self->send_folded();
      self->transport_->flush();
    });
  }

  void leave() {
    if (!joined_) return;
    joined_ = false;
    ctx_.manager.leave(watch_.job_id, this);
  }

  LiveContext& ctx_;
  common::http::SlotPtr slot_;  // counts this connection against --max-connections
  WatchRequest watch_;
  JobFeed feed_;
  std::unique_ptr<common::live::Transport> transport_;
  // Only while the feed decides on it (a pointer: an idle watcher keeps no room for a job).
  const JobRecord* snapshot_ = nullptr;
  bool joined_ = false;
  std::uint16_t shard_ = 0;
  std::unique_ptr<Folding> folding_;  // only for a watcher that asked for max_rate
};

}  // namespace

std::uint64_t resume_point(const common::http::Request& request, std::string_view since_query) {
  auto parse = [](std::string_view text) -> std::uint64_t {
    std::uint64_t value = 0;
    const auto* end = text.data() + text.size();
    const auto [at, ec] = std::from_chars(text.data(), end, value);
    return ec == std::errc{} && at == end ? value : 0;
  };
  if (const auto id = request["Last-Event-ID"]; !id.empty()) {
    if (const auto n = parse(id); n > 0) return n;
  }
  return parse(since_query);
}

void start_live_session(LiveContext& context, beast::tcp_stream&& stream,
                        common::http::Request&& request, common::http::SlotPtr slot,
                        WatchRequest watch) {
  const bool sse = !beast::websocket::is_upgrade(request);
  if (!sse) {
    if (auto bad = common::ws::check_upgrade(request)) {
      return common::ws::refuse_upgrade(std::move(stream), std::move(*bad), std::move(slot),
                                        context.limits.handshake_timeout);
    }
  }
  auto session = std::make_shared<LiveSession>(context, std::move(slot), std::move(watch));
  if (sse) {
    auto t = std::make_unique<common::live::SseTransport<beast::tcp_stream>>(
        std::move(stream), context.limits, session->sender_metrics());
    auto& transport = *t;
    session->attach(std::move(t));
    transport.open("levain", *session, session);
  } else {
    // The bare socket: the WebSocket framing keeps its own timeouts (tcp_stream's timers would be
    // 0.5 KiB per watcher that nothing uses once the upgrade request was read).
    auto t = std::make_unique<common::live::WsTransport<net::ip::tcp::socket>>(
        stream.release_socket(), context.limits, session->sender_metrics());
    auto& transport = *t;
    session->attach(std::move(t));
    transport.open(std::move(request), "levain", *session, session);
  }
}

}  // namespace levain::training
