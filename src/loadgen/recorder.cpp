#include "loadgen/recorder.hpp"

#include <algorithm>
#include <limits>

#include "common/live/message_scan.hpp"
#include "common/timestamp.hpp"

namespace levain::loadgen {
namespace {

std::uint32_t clamp_u32(std::uint64_t value) {
  return static_cast<std::uint32_t>(
      std::min<std::uint64_t>(value, std::numeric_limits<std::uint32_t>::max()));
}

// INT32_MIN is kNoLatency, so a measured latency stops one above it.
std::int32_t clamp_latency(std::int64_t value) {
  return static_cast<std::int32_t>(
      std::clamp<std::int64_t>(value, std::numeric_limits<std::int32_t>::min() + 1,
                               std::numeric_limits<std::int32_t>::max()));
}

}  // namespace

MessageKind classify(std::string_view type, bool has_seq) {
  if (type == "connected") return MessageKind::connected;
  if (type == "completed" || type == "failed") return MessageKind::terminal;
  if (type == "started" || type == "progress" || type == "product_completed") {
    return MessageKind::event;
  }
  return has_seq ? MessageKind::event : MessageKind::other;
}

std::optional<MessageKind> record_message(ClientResult& client, std::string_view text,
                                          std::int64_t now_us, std::int64_t started_wall_us,
                                          std::size_t max_messages) {
  const auto header = common::live::scan_header(text);
  if (!header || header->type.empty()) {
    ++client.unparsed;
    return std::nullopt;
  }
  const MessageKind kind = classify(header->type, header->seq.has_value());
  // The contract gives every connected/event message a seq; without one it cannot be counted.
  if (kind != MessageKind::other && !header->seq) {
    ++client.unparsed;
    return std::nullopt;
  }
  Received r;
  r.kind = kind;
  r.bytes = clamp_u32(text.size());
  r.seq = header->seq ? clamp_u32(*header->seq) : 0;
  r.at_us =
      clamp_u32(static_cast<std::uint64_t>(std::max<std::int64_t>(now_us - started_wall_us, 0)));
  r.latency_us = kNoLatency;
  if (kind == MessageKind::connected) {
    client.ledger.on_snapshot(*header->seq);
    if (client.joined_at_us < 0) client.joined_at_us = now_us - started_wall_us;
  } else if (kind == MessageKind::event || kind == MessageKind::terminal) {
    client.ledger.on_event(*header->seq, kind == MessageKind::terminal);
    if (const auto published = common::parse_timestamp_us(header->timestamp)) {
      r.latency_us = clamp_latency(now_us - *published);
    } else {
      ++client.unparsed;  // an event without a readable timestamp: no latency for it
    }
  }
  if (client.messages.size() < max_messages) {
    client.messages.push_back(r);
  } else {
    ++client.not_recorded;
  }
  return kind;
}

}  // namespace levain::loadgen
