#include "stream_checks.hpp"

#include "json_access.hpp"

namespace levain::integration {
namespace json = boost::json;
using ::testing::AssertionFailure;
using ::testing::AssertionResult;
using ::testing::AssertionSuccess;

std::int64_t expected_progress(std::int64_t completed, std::int64_t total) {
  return total == 0 ? 20 : 20 + completed * 60 / total;
}

std::string type_of(const json::value& message) {
  const auto* t = find(message, "type");
  return t != nullptr && t->is_string() ? std::string(t->get_string()) : std::string();
}

Messages events_of(const Messages& messages) {
  Messages out;
  for (std::size_t i = 1; i < messages.size(); ++i) {
    if (type_of(messages[i]) != "pong") out.push_back(messages[i]);
  }
  return out;
}

AssertionResult starts_with_connected(const Messages& messages, const std::string& job_id) {
  if (messages.empty()) return AssertionFailure() << "no message at all";
  const auto& first = messages.front();
  if (type_of(first) != "connected") {
    return AssertionFailure() << "first message is not 'connected': " << dump(first);
  }
  if (!has(first, "data/snapshot"))
    return AssertionFailure() << "no data.snapshot: " << dump(first);
  if (int_at(first, "seq") != int_at(first, "data/snapshot/seq")) {
    return AssertionFailure() << "connected.seq != snapshot.seq: " << dump(first);
  }
  if (str_at(first, "data/snapshot/job_id") != job_id || str_at(first, "job_id") != job_id) {
    return AssertionFailure() << "snapshot of another job (want " << job_id << "): " << dump(first);
  }
  return AssertionSuccess();
}

AssertionResult snapshot_consistent(const json::value& s) {
  const std::string status = str_at(s, "status");
  const auto seq = int_at(s, "seq");
  const auto progress = int_at(s, "progress");
  const auto done = int_at(s, "products_completed");
  const auto total = int_at(s, "total_products");
  const auto rows = static_cast<std::int64_t>(arr_at(s, "products").size());
  if (rows != done) {
    return AssertionFailure() << "products_completed " << done << " but " << rows
                              << " product rows: " << dump(s);
  }
  if (done > total) return AssertionFailure() << "completed > total: " << dump(s);
  if (status == "pending" && (seq != 0 || progress != 0 || done != 0)) {
    return AssertionFailure() << "pending snapshot with seq/progress/products: " << dump(s);
  }
  if (status == "running") {
    const std::int64_t want = seq <= 1 ? 0 : expected_progress(done, total);
    if (progress != want) {
      return AssertionFailure() << "running snapshot progress " << progress << " != " << want
                                << " (seq " << seq << ", " << done << "/" << total
                                << "): " << dump(s);
    }
    if (seq != (done == 0 ? seq : 2 + done)) {
      return AssertionFailure() << "running snapshot seq " << seq << " != 2 + products_completed "
                                << done << ": " << dump(s);
    }
  }
  if (status == "completed" && (progress != 100 || done != total || seq != total + 3)) {
    return AssertionFailure() << "completed snapshot must have progress 100, all products and "
                              << "seq total+3: " << dump(s);
  }
  return AssertionSuccess();
}

AssertionResult events_follow_snapshot(const Messages& messages) {
  if (messages.empty()) return AssertionFailure() << "no messages";
  const auto& snapshot = at(messages.front(), "data/snapshot");
  std::int64_t expect_seq = int_at(snapshot, "seq") + 1;
  std::int64_t last_progress = int_at(snapshot, "progress");
  std::int64_t done = int_at(snapshot, "products_completed");
  bool terminal = false;
  for (const auto& e : events_of(messages)) {
    const std::string type = type_of(e);
    if (terminal) return AssertionFailure() << "event after the terminal one: " << dump(e);
    for (const char* f : {"job_id", "tenant_id", "timestamp", "data/progress", "data/current_step",
                          "data/products_completed", "data/total_products"}) {
      if (!has(e, f)) return AssertionFailure() << "event without " << f << ": " << dump(e);
    }
    if (str_at(e, "timestamp").empty() || str_at(e, "timestamp").back() != 'Z') {
      return AssertionFailure() << "timestamp not UTC ISO: " << dump(e);
    }
    if (int_at(e, "seq") != expect_seq) {
      return AssertionFailure() << "seq " << int_at(e, "seq") << " where " << expect_seq
                                << " was due: " << dump(e);
    }
    ++expect_seq;
    const auto progress = int_at(e, "data/progress");
    const auto total = int_at(e, "data/total_products");
    if (progress < last_progress) {
      return AssertionFailure() << "progress went back from " << last_progress << ": " << dump(e);
    }
    last_progress = progress;
    if (type == "started" && (progress != 0 || int_at(e, "seq") != 1)) {
      return AssertionFailure() << "started must be seq 1, progress 0: " << dump(e);
    } else if (type == "progress" &&
               (progress != 20 || str_at(e, "data/current_step") != "Data Analysis")) {
      return AssertionFailure() << "progress event must be 20 / Data Analysis: " << dump(e);
    } else if (type == "product_completed") {
      ++done;
      if (int_at(e, "data/products_completed") != done) {
        return AssertionFailure() << "products_completed should be " << done << ": " << dump(e);
      }
      if (progress != expected_progress(done, total)) {
        return AssertionFailure() << "progress should be " << expected_progress(done, total) << ": "
                                  << dump(e);
      }
      const std::string st = str_at(e, "data/status");
      if ((st != "succeeded" && st != "failed") || str_at(e, "data/product_name").empty() ||
          !has(e, "data/metrics")) {
        return AssertionFailure() << "bad product_completed data: " << dump(e);
      }
    } else if (type == "completed") {
      terminal = true;
      if (progress != 100 ||
          int_at(e, "data/successful_trainings") + int_at(e, "data/failed_trainings") != total ||
          !has(e, "data/total_duration")) {
        return AssertionFailure() << "bad completed event: " << dump(e);
      }
    } else if (type == "failed") {
      terminal = true;
      if (!has(e, "data/error")) return AssertionFailure() << "failed without error: " << dump(e);
    } else if (type != "started" && type != "progress") {
      return AssertionFailure() << "unknown event type: " << dump(e);
    }
  }
  return AssertionSuccess();
}

AssertionResult full_success_sequence(const Messages& messages, std::int64_t total) {
  const auto events = events_of(messages);
  std::vector<std::string> want = {"started", "progress"};
  for (std::int64_t i = 0; i < total; ++i) want.emplace_back("product_completed");
  want.emplace_back("completed");
  std::vector<std::string> got;
  for (const auto& e : events) got.push_back(type_of(e));
  if (got != want) {
    std::string g;
    for (const auto& t : got) g += t + " ";
    return AssertionFailure() << "event types differ from the contract's sequence; got "
                              << got.size() << " events: " << g;
  }
  if (int_at(events.front(), "data/total_products") != total) {
    return AssertionFailure() << "started.total_products != " << total;
  }
  return AssertionSuccess();
}

AssertionResult ends_with(const WsClient& client, const std::string& type, int code) {
  const auto& m = client.messages();
  if (m.empty() || type_of(m.back()) != type) {
    return AssertionFailure() << "last message is not '" << type
                              << "': " << (m.empty() ? std::string("(none)") : dump(m.back()))
                              << "; end: " << client.end().describe();
  }
  if (client.end().code != code) {
    return AssertionFailure() << "expected close " << code << ", got " << client.end().describe();
  }
  return AssertionSuccess();
}

}  // namespace levain::integration
