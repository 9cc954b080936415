#include "training/events/event.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "common/json_text.hpp"
#include "common/timestamp.hpp"
#include "training/jobs/job_json.hpp"

namespace levain::training {

std::string_view routing_key(EventType t) {
  switch (t) {
    case EventType::started:
      return "training.started";
    case EventType::progress:
      return "training.progress";
    case EventType::product_completed:
      return "training.product.completed";
    case EventType::completed:
      return "training.completed";
    case EventType::failed:
      return "training.failed";
  }
  return "training.unknown";
}

std::string_view ws_type(EventType t) {
  switch (t) {
    case EventType::started:
      return "started";
    case EventType::progress:
      return "progress";
    case EventType::product_completed:
      return "product_completed";
    case EventType::completed:
      return "completed";
    case EventType::failed:
      return "failed";
  }
  return "unknown";
}

std::string encode_message(const EventEnvelope& e, boost::json::object data) {
  boost::json::object msg;
  msg["type"] = e.type;
  msg["job_id"] = e.job_id;
  msg["tenant_id"] = e.tenant_id;
  msg["seq"] = e.seq;
  msg["timestamp"] = iso8601_micros(e.timestamp_us);
  msg["data"] = std::move(data);
  return common::to_json_text(msg);
}

std::string encode_connected(const JobRecord& snapshot, std::int64_t now_us, std::size_t watchers) {
  boost::json::object data;
  auto job = to_json(snapshot);
  job["watchers"] = watchers;
  data["snapshot"] = std::move(job);
  data["resumed"] = false;
  data["watchers"] = watchers;
  return encode_message({"connected", snapshot.job_id, snapshot.tenant_id, snapshot.seq, now_us},
                        std::move(data));
}

std::string encode_resumed(std::string_view tenant_id, std::string_view job_id, std::uint64_t since,
                           std::int64_t now_us, std::size_t watchers) {
  boost::json::object data;
  data["resumed"] = true;
  data["watchers"] = watchers;
  return encode_message({"connected", job_id, tenant_id, since, now_us}, std::move(data));
}

std::string encode_watchers(std::string_view tenant_id, std::string_view job_id,
                            std::size_t watchers, std::int64_t now_us) {
  boost::json::object msg;
  msg["type"] = "watchers";
  msg["job_id"] = job_id;
  msg["tenant_id"] = tenant_id;
  msg["timestamp"] = iso8601_micros(now_us);
  msg["data"] = boost::json::object{{"watchers", watchers}};
  return common::to_json_text(msg);
}

std::optional<EventHeader> parse_event_header(std::string_view body) {
  boost::system::error_code ec;
  const auto v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto& o = v.get_object();
  const auto* job = o.if_contains("job_id");
  const auto* type = o.if_contains("type");
  const auto* seq = o.if_contains("seq");
  if (!job || !job->is_string() || !type || !type->is_string() || !seq) return std::nullopt;
  EventHeader h;
  h.job_id = job->get_string();
  h.type = type->get_string();
  if (seq->is_uint64()) {
    h.seq = seq->get_uint64();
  } else if (seq->is_int64() && seq->get_int64() >= 0) {
    h.seq = static_cast<std::uint64_t>(seq->get_int64());
  } else {
    return std::nullopt;
  }
  h.terminal = h.type == "completed" || h.type == "failed";
  if (const auto* ts = o.if_contains("timestamp"); ts && ts->is_string()) {
    h.published_us = common::parse_timestamp_us(ts->get_string()).value_or(0);
  }
  return h;
}

}  // namespace levain::training
