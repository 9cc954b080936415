#pragma once
/// The one place that builds the JSON of a training event. The same bytes are the bus body and
/// the WebSocket message (DESIGN.md §2), so they are serialised once per event.

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "training/jobs/job.hpp"

namespace levain::training {

enum class EventType { started, progress, product_completed, completed, failed };

std::string_view routing_key(EventType t);  // "training.product.completed", …
std::string_view ws_type(EventType t);      // "product_completed", …

struct EventEnvelope {
  std::string_view type;  // ws_type() or "connected"
  std::string_view job_id;
  std::string_view tenant_id;
  std::uint64_t seq = 0;
  std::int64_t timestamp_us = 0;
};

/// {"type","job_id","tenant_id","seq","timestamp","data"} serialised.
std::string encode_message(const EventEnvelope& envelope, boost::json::object data);

/// The first message on every live connection: the job's snapshot, seq = snapshot.seq, and
/// `resumed: false`.
/// `watchers`: live watchers of the job on every replica (data.watchers and snapshot.watchers).
std::string encode_connected(const JobRecord& snapshot, std::int64_t now_us, std::size_t watchers);

/// The first message for a watcher resumed after `since` (docs/live-protocol.md, "Resume"): no
/// snapshot, `resumed: true`, seq = since; the events after it follow.
std::string encode_resumed(std::string_view tenant_id, std::string_view job_id, std::uint64_t since,
                           std::int64_t now_us, std::size_t watchers);

/// The `watchers` message: not an event, so no seq (docs/live-protocol.md, "Who is watching").
std::string encode_watchers(std::string_view tenant_id, std::string_view job_id,
                            std::size_t watchers, std::int64_t now_us);

/// The fields every consumer of a bus body needs, read without building a DOM per session.
struct EventHeader {
  std::string job_id;
  std::string type;
  std::uint64_t seq = 0;
  bool terminal = false;          // completed or failed: the job's last event
  std::int64_t published_us = 0;  // `timestamp` in Unix microseconds; 0 when it is not one
};
/// Nullopt for a body that is not a training event (logged and dropped by the caller).
std::optional<EventHeader> parse_event_header(std::string_view body);

}  // namespace levain::training
