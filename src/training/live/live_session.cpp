#include "training/live/live_session.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/parse.hpp>
#include <mutex>
#include <vector>

#include "common/ids.hpp"
#include "common/ws/close_reason.hpp"
#include "common/ws/coalescing_stream.hpp"
#include "common/ws/handshake.hpp"
#include "common/ws/send_bound.hpp"
#include "training/events/event.hpp"

namespace levain::training {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {

const auto kPong = std::make_shared<const std::string>(R"({"type":"pong"})");
const auto kUnsupported = std::make_shared<const std::string>(
    R"({"type":"error","data":{"message":"unsupported client message: only 'ping' or {\"type\":\"ping\"} is accepted"}})");

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
        bound_(ctx_.config.send_queue_bytes, ctx_.queued_bytes),
        slot_(std::move(slot)),
        tenant_(std::move(tenant)),
        job_id_(std::move(job)) {
    ctx_.sessions.add();
  }

  ~LiveSession() override {
    if (joined_) ctx_.manager.leave(job_id_, this);
    ctx_.sessions.sub();
  }

  void run(common::http::Request&& req, std::optional<Refusal> refusal) {
    ws_.set_option(timeouts(ctx_.config.handshake_timeout));
    ws_.read_message_max(ctx_.config.max_message_bytes);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(beast::http::field::server, "levain"); }));
    // Every message is one text frame, written whole into the coalescing layer.
    ws_.text(true);
    ws_.auto_fragment(false);
    ws_.next_layer().on_sent([weak = weak_from_this()](beast::error_code) {
      if (auto self = weak.lock()) self->after_send();
    });
    ws_.next_layer().on_own_frame([weak = weak_from_this()](std::size_t bytes) {
      if (auto self = weak.lock()) self->after_own_frame(bytes);
    });
    auto owned = std::make_shared<common::http::Request>(std::move(req));
    ws_.async_accept(*owned, [self = shared_from_this(), owned, refusal = std::move(refusal)](
                                 beast::error_code ec) { self->on_accept(ec, refusal); });
  }

  /// Events wait in an inbox; only the first of a run posts a drain, so a backlog of k events
  /// costs one post, one pass and one send instead of k of each.
  void deliver(std::shared_ptr<const OutboundEvent> event) override {
    {
      std::lock_guard lock(inbox_mutex_);
      inbox_.push_back(std::move(event));
      if (drain_posted_) return;
      drain_posted_ = true;
    }
    net::post(ws_.get_executor(), [self = shared_from_this()] { self->drain_inbox(); });
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
  websocket::stream_base::timeout timeouts(std::chrono::seconds handshake) const {
    websocket::stream_base::timeout t{};
    t.handshake_timeout = handshake;
    t.idle_timeout = ctx_.config.idle_timeout;
    t.keep_alive_pings = true;  // protocol pings at idle/2; a peer that never answers is dropped
    return t;
  }

  void on_accept(beast::error_code ec, const std::optional<Refusal>& refusal) {
    if (ec) return;  // handshake failed or timed out: nothing to say to a peer that cannot hear
    ws_.next_layer().start_frames();  // the 101 response is out; only frames follow
    // From now on the handshake timeout bounds only our close: a peer alive but behind (a
    // gateway relaying a burst to thousands) gets as long to answer it as it may stay silent,
    // or the socket would be cut before the close frame reached it.
    ws_.set_option(timeouts(std::max(ctx_.config.handshake_timeout, ctx_.config.idle_timeout)));
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

  void drain_inbox() {
    {
      std::lock_guard lock(inbox_mutex_);
      draining_.swap(inbox_);
      drain_posted_ = false;
    }
    for (const auto& event : draining_) on_event(event);
    draining_.clear();
    if (draining_.capacity() > 64)
      std::vector<std::shared_ptr<const OutboundEvent>>().swap(draining_);
    flush();
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
    flush();
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

  /// Frames the message into the coalescing layer; the caller flushes once its batch is done.
  /// The layer's unsent bytes are this session's send queue, under the send bound's rule.
  void enqueue(const std::shared_ptr<const std::string>& payload, bool is_event = false) {
    if (closing_ || close_after_drain_) return;
    auto& out = ws_.next_layer();
    if (!bound_.admit(out, payload->size())) return overflow();
    if (!ws_.is_open()) return;  // Beast is closing (peer's close, timeout): no more frames
    beast::error_code ec;
    ws_.write(net::buffer(*payload), ec);
    if (ec) return;  // the socket failed: the read fails as well and ends the session
    if (is_event) out.tag_last_frame();
  }

  /// Hands the batch to the kernel, then accounts for what it took.
  void flush() {
    ws_.next_layer().flush();
    after_send();
  }

  /// After a send (or the layer's wait for the peer ended): the queue gauge, delivered events, and
  /// the close that waited for the queue to drain.
  void after_send() {
    const auto& out = ws_.next_layer();
    const auto pending = out.pending_bytes();
    bound_.report(pending);
    if (const auto sent = out.tagged_frames_sent(); sent > reported_delivered_) {
      ctx_.delivered.inc(sent - reported_delivered_);
      reported_delivered_ = sent;
    }
    if (pending == 0 && close_after_drain_) do_close();
  }

  /// Beast queued a frame of its own (a pong to the peer's ping): it counts like our messages.
  void after_own_frame(std::size_t bytes) {
    after_send();
    // Not before the handshake is done, nor once Beast is closing on its own.
    if (closing_ || !ws_.is_open()) return;
    if (!bound_.holds(ws_.next_layer().pending_bytes(), bytes)) overflow();
  }

  void overflow() {
    ctx_.slow_closed.inc();
    close_when_drained(close_code::policy, bound_.reason(), true);
  }

  /// Closes once what is queued is sent, or at once, dropping it. The close frame cannot overtake
  /// a frame the kernel has started on, so when dropping, that one frame still goes first; a peer
  /// that never takes it is cut by the close handshake timeout. Closing at once overrides a close
  /// that waits for the queue: a peer over the bound while its last events drain is slow too.
  void close_when_drained(std::uint16_t code, std::string reason, bool drop_queue_now) {
    if (closing_ || (close_after_drain_ && !drop_queue_now)) return;
    close_after_drain_ = common::ws::make_close_reason(code, std::move(reason));
    buffered_.clear();
    if (!drop_queue_now) return flush();
    // Only while open: once Beast is closing, its close frame may be among the queued bytes.
    if (ws_.is_open()) ws_.next_layer().discard_unsent();
    do_close();
    flush();
  }

  /// Starts the close handshake: from here Beast answers no more pings, and its close timeout
  /// bounds how long the peer has left.
  void do_close() {
    if (closing_ || !ws_.is_open()) return;
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
      // closed, timed out, or a protocol error (Beast already answered it with a close frame,
      // which may still be in the layer: nothing is dropped here, the socket's end frees it).
      closing_ = true;
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
      enqueue(kUnsupported);
    }
    flush();
    do_read();
  }

  LiveContext& ctx_;
  websocket::stream<common::ws::CoalescingStream<beast::tcp_stream>> ws_;
  common::ws::SendBound bound_;  // keeps the queue gauge; Beast's pongs count
  common::http::SlotPtr slot_;   // counts this connection against --max-connections
  std::string tenant_;
  std::string job_id_;
  beast::flat_buffer read_buffer_;
  std::mutex inbox_mutex_;
  std::vector<std::shared_ptr<const OutboundEvent>> inbox_;     // guarded by inbox_mutex_
  bool drain_posted_ = false;                                   // guarded by inbox_mutex_
  std::vector<std::shared_ptr<const OutboundEvent>> draining_;  // the strand's batch
  std::uint64_t reported_delivered_ = 0;  // events the kernel took, as in the counter
  std::vector<std::shared_ptr<const OutboundEvent>> buffered_;
  std::size_t buffered_bytes_ = 0;
  std::uint64_t last_seq_ = 0;
  std::optional<websocket::close_reason> close_after_drain_;
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
  if (auto bad = common::ws::check_upgrade(request)) {
    return common::ws::refuse_upgrade(std::move(stream), std::move(*bad), std::move(slot),
                                      context.config.handshake_timeout);
  }
  auto session = std::make_shared<LiveSession>(context, std::move(stream), std::move(slot),
                                               std::move(tenant), std::move(job_id));
  session->run(std::move(request), std::move(refusal));
}

}  // namespace levain::training
