#include "loadgen/report.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>

namespace levain::loadgen {
namespace {

double rate(double count, double seconds) { return seconds > 0 ? count / seconds : 0.0; }

// Rounded for people reading the JSON; microsecond precision is kept in the milliseconds.
double round3(double v) {
  return static_cast<double>(static_cast<std::int64_t>(v * 1000.0 + (v < 0 ? -0.5 : 0.5))) / 1000.0;
}

void count_failure(std::map<std::string, std::size_t>& failures, const std::string& why) {
  if (failures.count(why) != 0 || failures.size() < kMaxFailureReasons) {
    ++failures[why];
  } else {
    ++failures["other"];
  }
}

std::optional<double> per_connection_kib(const ProcessSample& p, std::size_t joined) {
  if (!p.before || !p.joined || joined == 0) return std::nullopt;
  return static_cast<double>(p.joined->rss_kib - p.before->rss_kib) / static_cast<double>(joined);
}

}  // namespace

Report build_report(const WatchersResult& run, RunFacts facts) {
  Report r;
  r.clients = run.clients.size();
  r.timed_out = run.timed_out;
  r.connect_s = run.connect_s;
  r.join_s = run.join_s;
  r.duration_s = run.total_s;

  std::vector<std::int64_t> latencies;
  std::int64_t first_publish = std::numeric_limits<std::int64_t>::max();
  std::int64_t last_receive = std::numeric_limits<std::int64_t>::min();
  std::size_t tcp_connected = 0;
  for (const auto& c : run.clients) {
    if (c.tcp_connected) ++tcp_connected;
    if (!c.ledger.joined()) {
      ++r.connect_failed;
      count_failure(r.failures, c.failure.empty() ? "unknown" : c.failure);
      continue;
    }
    ++r.joined;
    ++r.close_codes[c.close_code];
    if (c.ledger.snapshot_seq() == 0) ++r.joined_before_first_event;
    const Tally t = c.ledger.tally(facts.final_seq);
    r.expected += t.expected;
    r.received += t.received;
    r.lost += t.lost;
    r.duplicates += t.duplicates;
    r.gaps += t.gaps;
    if (t.lost > 0) ++r.clients_with_loss;
    r.protocol_errors += c.unparsed + c.ledger.protocol_errors();
    r.not_recorded += c.not_recorded;
    for (const auto& m : c.messages) {
      r.bytes_received += m.bytes;
      r.largest_message = std::max(r.largest_message, m.bytes);
      if ((m.kind != MessageKind::event && m.kind != MessageKind::terminal) ||
          m.latency_us == kNoLatency) {
        continue;
      }
      latencies.push_back(m.latency_us);
      first_publish =
          std::min<std::int64_t>(first_publish, static_cast<std::int64_t>(m.at_us) - m.latency_us);
      last_receive = std::max<std::int64_t>(last_receive, m.at_us);
    }
  }
  r.latency = summarize_latency(latencies);
  if (!latencies.empty()) {
    r.first_publish_unix_us = run.started_wall_us + first_publish;
    r.last_receive_unix_us = run.started_wall_us + last_receive;
    if (last_receive > first_publish) {
      r.msgs_per_s = rate(static_cast<double>(latencies.size()),
                          static_cast<double>(last_receive - first_publish) / 1e6);
    }
  }
  r.latencies_us = std::move(latencies);
  r.connect_rate_per_s = rate(static_cast<double>(tcp_connected), run.connect_s);
  r.join_rate_per_s = rate(static_cast<double>(r.joined), run.join_s);
  r.facts = std::move(facts);
  return r;
}

boost::json::object to_json(const Report& r) {
  namespace json = boost::json;
  json::object o;
  o["clients"] = r.clients;
  o["connected"] = r.joined;
  o["connect_failed"] = r.connect_failed;
  o["expected"] = r.expected;
  o["received"] = r.received;
  o["lost"] = r.lost;
  // Without a single event there is no latency to report: null, not a made-up 0.
  const auto ms = [&r](double v) {
    return r.latency.samples > 0 ? json::value(round3(v)) : json::value(nullptr);
  };
  json::object latency;
  latency["p50"] = ms(r.latency.p50_ms);
  latency["p90"] = ms(r.latency.p90_ms);
  latency["p99"] = ms(r.latency.p99_ms);
  latency["p999"] = ms(r.latency.p999_ms);
  latency["max"] = ms(r.latency.max_ms);
  latency["mean"] = ms(r.latency.mean_ms);
  latency["samples"] = r.latency.samples;
  o["latency_ms"] = std::move(latency);
  o["msgs_per_s"] = round3(r.msgs_per_s);
  if (r.latency.samples > 0) {
    o["window_unix_us"] = {{"first_publish", r.first_publish_unix_us},
                           {"last_receive", r.last_receive_unix_us}};
  }

  json::object rss, detail, per_connection;
  double per_connection_total = 0;
  bool have_per_connection = false;
  for (const auto& p : r.facts.processes) {
    const std::string pid = std::to_string(p.pid);
    const auto& last = p.after ? p.after : p.joined ? p.joined : p.before;
    rss[pid] = last ? json::value(last->hwm_kib) : json::value(nullptr);
    json::object d;
    d["before"] = p.before ? json::value(p.before->rss_kib) : json::value(nullptr);
    d["joined"] = p.joined ? json::value(p.joined->rss_kib) : json::value(nullptr);
    d["after"] = p.after ? json::value(p.after->rss_kib) : json::value(nullptr);
    detail[pid] = std::move(d);
    if (const auto kib = per_connection_kib(p, r.joined)) {
      per_connection[pid] = round3(*kib);
      per_connection_total += *kib;
      have_per_connection = true;
    }
  }
  o["rss_kib"] = std::move(rss);
  o["rss_detail_kib"] = std::move(detail);
  o["per_connection_kib"] = std::move(per_connection);
  o["per_connection_kib_total"] =
      have_per_connection ? json::value(round3(per_connection_total)) : json::value(nullptr);

  o["connect_rate_per_s"] = round3(r.connect_rate_per_s);
  o["join_rate_per_s"] = round3(r.join_rate_per_s);
  o["connect_s"] = round3(r.connect_s);
  o["join_s"] = round3(r.join_s);
  o["duration_s"] = round3(r.duration_s);
  o["duplicates"] = r.duplicates;
  o["gaps"] = r.gaps;
  o["clients_with_loss"] = r.clients_with_loss;
  o["protocol_errors"] = r.protocol_errors;
  o["not_recorded"] = r.not_recorded;
  o["bytes_received"] = r.bytes_received;
  o["largest_message_bytes"] = r.largest_message;
  o["joined_before_first_event"] = r.joined_before_first_event;
  json::object codes;
  for (const auto& [code, n] : r.close_codes) {
    codes[code < 0 ? std::string("none") : std::to_string(code)] = n;
  }
  o["close_codes"] = std::move(codes);
  json::object failures;
  for (const auto& [why, n] : r.failures) failures[why] = n;
  o["failures"] = std::move(failures);
  o["timed_out"] = r.timed_out;
  json::object job;
  job["id"] = r.facts.job_id;
  job["status"] = r.facts.job_status;
  job["final_seq"] = r.facts.final_seq;
  o["job"] = std::move(job);
  o["bench_rss_kib"] = r.facts.self ? json::value(r.facts.self->hwm_kib) : json::value(nullptr);
  o["fd_limit"] = r.facts.fd_limit;
  return o;
}

void print_summary(const Report& r, std::ostream& out) {
  char line[256];
  out << "clients: " << r.joined << " of " << r.clients << " connected";
  if (r.connect_failed > 0) out << " (" << r.connect_failed << " failed)";
  std::snprintf(line, sizeof line, " in %.2f s (%.0f connects/s)\n", r.join_s, r.join_rate_per_s);
  out << line;
  out << "job " << r.facts.job_id << ": " << (r.facts.job_status.empty() ? "?" : r.facts.job_status)
      << ", final seq " << r.facts.final_seq << "\n";
  out << "messages: " << r.received << " of " << r.expected << " expected, " << r.lost << " lost";
  if (r.duplicates > 0) out << ", " << r.duplicates << " duplicated";
  if (r.clients_with_loss > 0) out << " (" << r.clients_with_loss << " clients with loss)";
  std::snprintf(line, sizeof line, "; %.0f msgs/s\n", r.msgs_per_s);
  out << line;
  if (r.latency.samples == 0) {
    out << "latency: no event received\n";
  } else {
    std::snprintf(line, sizeof line,
                  "latency ms: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  (%zu samples)\n",
                  r.latency.p50_ms, r.latency.p90_ms, r.latency.p99_ms, r.latency.p999_ms,
                  r.latency.max_ms, r.latency.samples);
    out << line;
  }
  for (const auto& p : r.facts.processes) {
    const auto& last = p.after ? p.after : p.joined;
    out << "pid " << p.pid << ": peak RSS " << (last ? std::to_string(last->hwm_kib) : "?")
        << " KiB";
    if (const auto kib = per_connection_kib(p, r.joined)) {
      std::snprintf(line, sizeof line, ", %.2f KiB per connection", *kib);
      out << line;
    }
    out << "\n";
  }
  for (const auto& [why, n] : r.failures) out << "failed: " << n << " × " << why << "\n";
  if (r.timed_out) out << "timed out: the run was cut short\n";
  out << (r.ok() ? "OK: no message lost\n" : "FAILED: see above\n");
}

}  // namespace levain::loadgen
