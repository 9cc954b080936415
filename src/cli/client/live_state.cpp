#include "cli/client/live_state.hpp"

#include <algorithm>
#include <boost/json/array.hpp>
#include <cmath>
#include <limits>
#include <optional>

namespace levain::cli {
namespace {

namespace json = boost::json;

// Integers may arrive as int64, uint64 or an integral double depending on the encoder.
std::optional<std::int64_t> get_int(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr) return std::nullopt;
  if (value->is_int64()) return value->get_int64();
  if (value->is_uint64()) {
    if (value->get_uint64() >
        static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return std::nullopt;
    }
    return static_cast<std::int64_t>(value->get_uint64());
  }
  if (value->is_double()) {
    const double d = value->get_double();
    if (std::isfinite(d) && std::trunc(d) == d && std::abs(d) < 9.0e15) {
      return static_cast<std::int64_t>(d);
    }
  }
  return std::nullopt;
}

std::optional<std::string> get_string(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return std::string(value->get_string());
}

int clamp_count(std::int64_t value) {
  return static_cast<int>(std::clamp<std::int64_t>(value, 0, std::numeric_limits<int>::max()));
}

}  // namespace

bool LiveState::terminal() const {
  return status_ == "completed" || status_ == "failed" || status_ == "cancelled";
}

LiveState::Apply LiveState::malformed(std::string why) {
  problem_ = std::move(why);
  return Apply::malformed;
}

LiveState::Apply LiveState::apply(const json::object& message) {
  const auto type = get_string(message, "type");
  if (!type) return malformed("message has no string \"type\"");
  if (*type == "connected") return reset_from_snapshot(message);
  if (*type == "watchers") {  // not an event: no seq, only the count
    const auto* data = message.if_contains("data");
    if (data != nullptr && data->is_object()) fold_watchers(data->get_object());
    return Apply::applied;
  }

  const json::value* seq_value = message.if_contains("seq");
  if (seq_value == nullptr) {
    // "pong" and any future informational message without a seq carry no job state.
    return Apply::ignored;
  }
  const auto seq = get_int(message, "seq");
  if (!seq || *seq < 1)
    return malformed("\"" + *type + "\" has a \"seq\" that is not a positive integer");
  const json::value* data = message.if_contains("data");
  if (data == nullptr || !data->is_object()) {
    return malformed("\"" + *type + "\" (seq " + std::to_string(*seq) + ") has no \"data\" object");
  }
  return apply_event(*type, *seq, data->get_object());
}

LiveState::Apply LiveState::reset_from_snapshot(const json::object& message) {
  const json::value* data = message.if_contains("data");
  // Resumed (docs/live-protocol.md, "Resume"): no snapshot, the state folded so far goes on. It
  // fits only at the seq folded; anywhere else events would be missing.
  if (data != nullptr && data->is_object()) {
    fold_watchers(data->get_object());
    if (const auto* resumed = data->get_object().if_contains("resumed");
        resumed != nullptr && resumed->is_bool() && resumed->get_bool()) {
      const auto seq = get_int(message, "seq");
      if (!has_snapshot_ || !seq || *seq != seq_) return Apply::gap;
      return Apply::applied;
    }
  }
  const json::value* snapshot =
      data != nullptr && data->is_object() ? data->get_object().if_contains("snapshot") : nullptr;
  if (snapshot == nullptr || !snapshot->is_object()) {
    return malformed("\"connected\" has no \"data.snapshot\" object");
  }
  const json::object& job = snapshot->get_object();
  const auto status = get_string(job, "status");
  const auto seq = get_int(job, "seq");
  if (!status || !seq || *seq < 0) {
    return malformed("\"connected\" snapshot lacks a string \"status\" or an integer \"seq\"");
  }
  // A snapshot older than what we already folded (a lagging replica) must not roll us back; the
  // events that follow it are then recognised as duplicates until they pass our seq.
  if (has_snapshot_ && *seq < seq_) return Apply::duplicate_or_old;

  has_snapshot_ = true;
  seq_ = *seq;
  status_ = *status;
  if (auto id = get_string(job, "job_id")) job_id_ = *id;
  error_ = get_string(job, "error").value_or("");
  fold_common(job);
  if (const json::value* products = job.if_contains("products");
      products != nullptr && products->is_array() && !products->get_array().empty() &&
      products->get_array().back().is_object()) {
    const json::object& last = products->get_array().back().get_object();
    last_product_ = get_string(last, "product_name").value_or(last_product_);
    last_product_status_ = get_string(last, "status").value_or(last_product_status_);
  }
  if (status_ == "completed") progress_ = 100;
  return Apply::applied;
}

LiveState::Apply LiveState::apply_event(const std::string& type, std::int64_t seq,
                                        const json::object& data) {
  if (seq <= seq_) return Apply::duplicate_or_old;
  // A summary (max_rate) stands for every event up to its seq, so it may skip ahead.
  if (seq > seq_ + 1 && type != "progress_summary") return Apply::gap;
  seq_ = seq;
  if (terminal()) return Apply::applied;  // nothing after the end may reopen the job

  fold_common(data);
  if (type == "started" || type == "progress") {
    status_ = "running";
  } else if (type == "product_completed") {
    status_ = "running";
    last_product_ = get_string(data, "product_name").value_or("");
    last_product_status_ = get_string(data, "status").value_or("");
  } else if (type == "progress_summary") {
    status_ = "running";
    if (const auto* p = data.if_contains("products"); p != nullptr && p->is_array() &&
                                                      !p->get_array().empty() &&
                                                      p->get_array().back().is_object()) {
      const auto& last = p->get_array().back().get_object();
      last_product_ = get_string(last, "product_name").value_or("");
      last_product_status_ = get_string(last, "status").value_or("");
    }
  } else if (type == "completed") {
    status_ = "completed";
    progress_ = 100;
  } else if (type == "failed") {
    const auto reason = get_string(data, "reason");
    status_ = reason == "cancelled" ? "cancelled" : "failed";
    error_ = get_string(data, "error").value_or(reason.value_or("no reason given by the server"));
  }
  return Apply::applied;
}

void LiveState::fold_common(const json::object& fields) {
  if (auto progress = get_int(fields, "progress")) {
    progress_ = std::max(progress_, static_cast<int>(std::clamp<std::int64_t>(*progress, 0, 100)));
  }
  if (auto total = get_int(fields, "total_products")) total_products_ = clamp_count(*total);
  if (auto done = get_int(fields, "products_completed")) products_completed_ = clamp_count(*done);
  if (auto step = get_string(fields, "current_step")) current_step_ = *step;
  if (const auto* eta = fields.if_contains("eta_s")) {
    eta_s_ = eta->is_number() ? std::optional(eta->to_number<double>()) : std::nullopt;
  }
  if (const auto* e = fields.if_contains("elapsed_s"); e && e->is_number()) {
    elapsed_s_ = e->to_number<double>();
  }
  if (const auto* f = fields.if_contains("in_flight"); f && f->is_array()) {
    in_flight_.clear();
    for (const auto& name : f->get_array()) {
      if (name.is_string() && in_flight_.size() < 64) in_flight_.emplace_back(name.get_string());
    }
  }
  if (const auto* s = fields.if_contains("summary"); s && s->is_object()) {
    summary_ = s->get_object();
    const auto* m = summary_.if_contains("median_mase");
    median_mase_ = m && m->is_number() ? std::optional(m->to_number<double>()) : std::nullopt;
  }
  if (const auto* r = fields.if_contains("report"); r && r->is_object()) report_ = r->get_object();
  fold_watchers(fields);
}

void LiveState::fold_watchers(const json::object& data) {
  if (auto n = get_int(data, "watchers"); n && *n >= 0) watchers_ = static_cast<std::size_t>(*n);
}

}  // namespace levain::cli
