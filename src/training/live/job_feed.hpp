#pragma once
/// What one watcher of one job is sent, and when: the no-gap rule of docs/live-protocol.md as a
/// pure state machine, apart from every socket, strand and store. The watcher's session (of any
/// transport) tells it what happened; it answers through FeedActions with what to do.
///
/// The rule: a watcher registers for the job's events first, buffering them, and only then reads
/// the snapshot; it sends `connected` and after it only events with seq > snapshot.seq, each
/// once. A hole in seq (the bus dropped an event) or a bus that reconnected means events may be
/// lost: buffer again, read a fresh snapshot, go on from its seq. The store is written before an
/// event is published (one publisher per job, under one lock), so a snapshot read after event k
/// arrived holds k; a hole still open after that read is not chased again (a store behind the
/// bus must not make the watcher loop on snapshots).
///
/// A watcher that resumes from seq N (reconnected with `Last-Event-ID`/`?since=`) and whose
/// replica still holds N+1… in the job's ring skips the snapshot: `connected` with resumed, then
/// those events, then live ones.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "training/live/outbound_event.hpp"

namespace levain::training {

/// What the feed asks its session to do; called synchronously from the feed's inputs.
class FeedActions {
 public:
  virtual ~FeedActions() = default;
  /// Start a store read of the job; its result comes back as JobFeed::snapshot().
  virtual void read_snapshot() = 0;
  /// Send `connected` with the snapshot that was just handed to JobFeed::snapshot().
  virtual void send_snapshot() = 0;
  /// Send `connected` with `resumed: true` at seq `since` (no snapshot).
  virtual void send_resumed(std::uint64_t since) = 0;
  virtual void send_event(const EventPtr& event) = 0;
  /// Everything is sent and the job is over: close normally, once what is queued is out.
  virtual void end(std::string reason) = 0;
  /// The events waiting for a snapshot went over the byte limit: close as a slow consumer.
  virtual void overflow() = 0;
};

class JobFeed {
 public:
  /// `buffer_limit` bounds the bytes waiting for a snapshot read (a job cannot outrun a read by
  /// more than a send queue).
  JobFeed(FeedActions& actions, std::size_t buffer_limit)
      : actions_(actions), buffer_limit_(buffer_limit) {}

  /// The watcher is registered for the job's events: read the snapshot.
  void joined();
  /// The watcher is registered and resumes after `since`; `replay` is what the job's ring holds
  /// after it (taken under the same lock as the registration), nullopt when the ring cannot
  /// serve it. Without a replay this is joined().
  void resumed(std::uint64_t since, std::optional<std::vector<EventPtr>> replay);
  void event(const EventPtr& event);
  /// The store read landed at `seq`; `ended_as` is the status of a job already over.
  void snapshot(std::uint64_t seq, std::optional<std::string_view> ended_as);
  /// The bus reconnected: events may have been lost.
  void bus_lost();
  /// The store holds the job at `seq`, which the bus never brought (quiet_jobs.hpp): behind it,
  /// read a fresh snapshot.
  void store_ahead(std::uint64_t seq);
  /// The session is closing: nothing more is asked of it.
  void stop();

  bool live() const { return phase_ == Phase::live; }
  std::uint64_t last_seq() const { return last_seq_; }

 private:
  enum class Phase { idle, loading, live, done };

  void load();
  void refresh();
  void forward(const EventPtr& event);
  void finish(std::string reason);

  FeedActions& actions_;
  std::size_t buffer_limit_;
  Phase phase_ = Phase::idle;
  std::uint64_t last_seq_ = 0;
  std::vector<EventPtr> buffered_;  // arrived while a snapshot read was under way
  std::size_t buffered_bytes_ = 0;
  bool reload_ = false;  // a loss was seen during a read: read once more after it
  std::uint64_t hole_refreshed_at_ = 0;
};

}  // namespace levain::training
