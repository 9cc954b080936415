#include "training/live/live_session.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/parse.hpp>
#include <deque>

#include "common/ids.hpp"
#include "training/events/event.hpp"

namespace levain::training {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {

const auto kPong = std::make_shared<const std::string>(R"({"type":"pong"})");

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

class LiveSession final : public LiveSink, public std::enable_shared_from_this<LiveSession> {
 public:
  LiveSession(LiveContext& ctx, beast::tcp_stream&& stream, common::http::SlotPtr slot,
              std::string tenant, std::string job)
      : ctx_(ctx),
        ws_(std::move(stream)),
        slot_(std::move(slot)),
        tenant_(std::move(tenant)),
        job_id_(std::move(job)) {
    ctx_.sessions.add();
  }

  ~LiveSession() override {
    if (joined_) ctx_.manager.leave(job_id_, this);
    ctx_.queued_bytes.sub(static_cast<std::int64_t>(queued_bytes_));
    ctx_.sessions.sub();
  }

  void run(common::http::Request&& req, std::optional<Refusal> refusal) {
    websocket::stream_base::timeout t{};
    t.handshake_timeout = ctx_.config.handshake_timeout;
    t.idle_timeout = ctx_.config.idle_timeout;
    t.keep_alive_pings = true;  // protocol pings at idle/2; a peer that never answers is dropped
    ws_.set_option(t);
    ws_.read_message_max(ctx_.config.max_message_bytes);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(beast::http::field::server, "levain"); }));
    auto owned = std::make_shared<common::http::Request>(std::move(req));
    ws_.async_accept(*owned, [self = shared_from_this(), owned, refusal = std::move(refusal)](
                                 beast::error_code ec) { self->on_accept(ec, refusal); });
  }

  void deliver(std::shared_ptr<const OutboundEvent> event) override {
    net::post(ws_.get_executor(),
              [self = shared_from_this(), event = std::move(event)] { self->on_event(event); });
  }

  void resnapshot() override {
    net::post(ws_.get_executor(), [self = shared_from_this()] { self->refresh(); });
  }

  void shutdown(std::uint16_t code, const std::string& reason) override {
    net::post(ws_.get_executor(), [self = shared_from_this(), code, reason] {
      self->close_when_drained(code, reason, /*drop_queue=*/true);
    });
  }

 private:
  void on_accept(beast::error_code ec, const std::optional<Refusal>& refusal) {
    if (ec) return;  // handshake failed or timed out: nothing to say to a peer that cannot hear
    if (refusal) return close_when_drained(refusal->code, refusal->reason, true);
    do_read();
    if (!ctx_.manager.join(job_id_, shared_from_this())) {
      return close_when_drained(close_code::going_away, "server shutting down", true);
    }
    joined_ = true;
    load_snapshot();
  }

  void load_snapshot() {
    loading_ = true;
    ctx_.load_snapshot(
        tenant_, job_id_,
        [self = shared_from_this()](std::optional<JobRecord> job, std::exception_ptr error) {
          net::post(self->ws_.get_executor(), [self, job = std::move(job), error]() mutable {
            self->on_snapshot(std::move(job), error);
          });
        });
  }

  /// Events may have been lost on the way (the bus reconnected, or a gap in seq showed it):
  /// buffer what arrives, re-read the snapshot, send it as a new `connected`, go on from there.
  void refresh() {
    if (closing_ || close_after_drain_) return;
    if (loading_) {
      reload_ = true;  // the read in flight may predate the loss: read once more after it
      return;
    }
    snapshot_sent_ = false;
    load_snapshot();
  }

  void on_snapshot(std::optional<JobRecord> job, std::exception_ptr error) {
    loading_ = false;
    if (closing_ || close_after_drain_) return;
    if (error) {
      spdlog::error("live {}: could not read the job's snapshot", job_id_);
      return close_when_drained(close_code::internal_error, "could not read the job", true);
    }
    if (!job) {
      return close_when_drained(close_code::not_found, "no such job for this tenant", true);
    }
    snapshot_sent_ = true;
    last_seq_ = job->seq;
    enqueue(std::make_shared<const std::string>(encode_connected(*job, common::now_micros())));
    if (is_terminal(job->status)) {
      return close_when_drained(close_code::normal, "job " + std::string(to_string(job->status)),
                                false);
    }
    auto pending = std::move(buffered_);
    buffered_.clear();
    buffered_bytes_ = 0;
    for (const auto& event : pending) on_event(event);
    if (reload_ && !loading_) {
      reload_ = false;
      refresh();
    }
  }

  void on_event(const std::shared_ptr<const OutboundEvent>& event) {
    if (closing_) return;
    // A hole in seq means the bus lost events (a full outbox dropped progress): the store has
    // them, so resynchronise rather than make the client notice.
    // Once per hole: a store behind the bus must not make us loop on snapshots.
    if (snapshot_sent_ && event->seq > last_seq_ + 1 && event->seq > gap_refreshed_at_) {
      gap_refreshed_at_ = event->seq;
      refresh();
    }
    if (!snapshot_sent_) {
      // Bounded like the send queue: a job cannot outrun a snapshot read by a megabyte.
      buffered_bytes_ += event->payload->size();
      if (buffered_bytes_ > ctx_.config.send_queue_bytes) return overflow();
      buffered_.push_back(event);
      return;
    }
    if (event->seq <= last_seq_) return;  // already in the snapshot, or a redelivery
    last_seq_ = event->seq;
    enqueue(event->payload, true);
    if (event->terminal) {
      close_when_drained(close_code::normal,
                         "job " + std::string(event->type == "completed" ? "completed" : "failed"),
                         false);
    }
  }

  void enqueue(std::shared_ptr<const std::string> payload, bool is_event = false) {
    if (closing_ || close_after_drain_) return;
    if (writing_ && queued_bytes_ + payload->size() > ctx_.config.send_queue_bytes) {
      return overflow();
    }
    queued_bytes_ += payload->size();
    ctx_.queued_bytes.add(static_cast<std::int64_t>(payload->size()));
    queue_.push_back({std::move(payload), is_event});
    if (!writing_) do_write();
  }

  void overflow() {
    ctx_.slow_closed.inc();
    close_when_drained(
        close_code::policy,
        "slow consumer: send queue over " + std::to_string(ctx_.config.send_queue_bytes) + " bytes",
        true);
  }

  void do_write() {
    writing_ = true;
    ws_.text(true);
    ws_.async_write(
        net::buffer(*queue_.front().payload),
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
  }

  void on_write(beast::error_code ec) {
    writing_ = false;
    const auto& sent = queue_.front();
    queued_bytes_ -= sent.payload->size();
    ctx_.queued_bytes.sub(static_cast<std::int64_t>(sent.payload->size()));
    if (!ec && sent.is_event) ctx_.delivered.inc();
    queue_.pop_front();
    if (ec) return drop_queue();
    if (!queue_.empty()) return do_write();
    if (close_after_drain_) do_close();
  }

  /// Closes after what is queued is written (or at once, dropping it). The close frame cannot
  /// overtake a write in flight, so with one in flight the close waits for it.
  void close_when_drained(std::uint16_t code, std::string reason, bool drop_queue_now) {
    if (closing_ || close_after_drain_) return;
    if (reason.size() > 120) reason.resize(120);  // RFC 6455: a close reason fits in 123 bytes
    close_after_drain_ = websocket::close_reason(static_cast<websocket::close_code>(code), reason);
    buffered_.clear();
    if (drop_queue_now) drop_queue(/*keep_in_flight=*/true);
    if (!writing_) do_close();
  }

  void drop_queue(bool keep_in_flight = false) {
    while (queue_.size() > (keep_in_flight && writing_ ? 1u : 0u)) {
      queued_bytes_ -= queue_.back().payload->size();
      ctx_.queued_bytes.sub(static_cast<std::int64_t>(queue_.back().payload->size()));
      queue_.pop_back();
    }
  }

  void do_close() {
    closing_ = true;
    if (joined_) {
      ctx_.manager.leave(job_id_, this);
      joined_ = false;
    }
    ws_.async_close(*close_after_drain_, [self = shared_from_this()](beast::error_code) {});
  }

  void do_read() {
    ws_.async_read(read_buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

  void on_read(beast::error_code ec) {
    if (ec) {
      // closed, timed out, or a protocol error (Beast already answered it with a close frame).
      closing_ = true;
      drop_queue(true);
      if (joined_) {
        ctx_.manager.leave(job_id_, this);
        joined_ = false;
      }
      return;
    }
    const auto text = beast::buffers_to_string(read_buffer_.data());
    read_buffer_.consume(read_buffer_.size());
    if (ws_.got_text() && is_ping(text)) {
      enqueue(kPong);
    } else {
      enqueue(std::make_shared<const std::string>(
          R"({"type":"error","data":{"message":"unsupported client message: only 'ping' or {\"type\":\"ping\"} is accepted"}})"));
    }
    do_read();
  }

  struct Queued {
    std::shared_ptr<const std::string> payload;
    bool is_event;
  };

  LiveContext& ctx_;
  websocket::stream<beast::tcp_stream> ws_;
  common::http::SlotPtr slot_;  // counts this connection against --max-connections
  std::string tenant_;
  std::string job_id_;
  beast::flat_buffer read_buffer_;
  std::deque<Queued> queue_;
  std::size_t queued_bytes_ = 0;
  std::vector<std::shared_ptr<const OutboundEvent>> buffered_;
  std::size_t buffered_bytes_ = 0;
  std::uint64_t last_seq_ = 0;
  std::optional<websocket::close_reason> close_after_drain_;
  bool writing_ = false;
  bool closing_ = false;
  bool joined_ = false;
  bool snapshot_sent_ = false;
  bool loading_ = false;  // a snapshot read is in flight
  bool reload_ = false;   // another read is due once it lands
  std::uint64_t gap_refreshed_at_ = 0;
};

}  // namespace

void start_live_session(LiveContext& context, beast::tcp_stream&& stream,
                        common::http::Request&& request, common::http::SlotPtr slot,
                        std::string tenant, std::string job_id, std::optional<Refusal> refusal) {
  auto session = std::make_shared<LiveSession>(context, std::move(stream), std::move(slot),
                                               std::move(tenant), std::move(job_id));
  session->run(std::move(request), std::move(refusal));
}

}  // namespace levain::training
