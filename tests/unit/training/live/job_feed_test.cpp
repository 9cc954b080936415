#include "training/live/job_feed.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

using namespace levain::training;

namespace {

/// Writes down what the feed asked for, in order, as one line per action.
struct Recorder : FeedActions {
  std::vector<std::string> log;
  void read_snapshot() override { log.push_back("read"); }
  void send_snapshot() override { log.push_back("connected"); }
  void send_resumed(std::uint64_t since) override {
    log.push_back("resumed " + std::to_string(since));
  }
  void send_event(const EventPtr& e) override { log.push_back("send " + std::to_string(e->seq)); }
  void end(std::string reason) override { log.push_back("end " + reason); }
  void overflow() override { log.push_back("overflow"); }
};

/// "ev 7" a progress event, "ev 7 C" / "ev 7 F" the job's completed / failed event.
EventPtr parse_event(std::istringstream& in) {
  std::uint64_t seq = 0;
  in >> seq;
  std::string end;
  if (in.peek() == ' ' && in.get() && (in.peek() == 'C' || in.peek() == 'F')) in >> end;
  const bool terminal = !end.empty();
  const std::string type = end == "C" ? "completed" : end == "F" ? "failed" : "progress";
  return std::make_shared<const OutboundEvent>(
      OutboundEvent{seq, terminal, type, std::make_shared<const std::string>(10, 'x')});
}

/// Runs one script of inputs, separated by ';':
///   join | resume N none | resume N [a b C...] | ev K [C|F] | snap S [status] | lost |
///   store S (the store is at S, which the bus never brought) | stop
std::vector<std::string> run(const std::string& script, std::size_t limit = 1000) {
  Recorder out;
  JobFeed feed(out, limit);
  std::istringstream steps(script);
  std::string step;
  while (std::getline(steps, step, ';')) {
    std::istringstream in(step);
    std::string verb;
    in >> verb;
    if (verb == "join") {
      feed.joined();
    } else if (verb == "resume") {
      std::uint64_t since = 0;
      in >> since;
      std::string rest;
      std::getline(in, rest);
      if (rest.find("none") != std::string::npos) {
        feed.resumed(since, std::nullopt);
        continue;
      }
      for (auto& c : rest) {
        if (c == '[' || c == ']') c = ' ';
      }
      std::vector<EventPtr> replay;
      std::istringstream items(rest);
      std::string item;
      while (items >> item) {
        const bool terminal = item.back() == 'C';
        if (terminal) item.pop_back();
        replay.push_back(std::make_shared<const OutboundEvent>(
            OutboundEvent{std::stoull(item), terminal, terminal ? "completed" : "progress",
                          std::make_shared<const std::string>(10, 'x')}));
      }
      feed.resumed(since, std::move(replay));
    } else if (verb == "ev") {
      feed.event(parse_event(in));
    } else if (verb == "snap") {
      std::uint64_t seq = 0;
      std::string status;
      in >> seq >> status;
      feed.snapshot(seq, status.empty() ? std::nullopt : std::optional<std::string_view>(status));
    } else if (verb == "lost") {
      feed.bus_lost();
    } else if (verb == "store") {
      std::uint64_t seq = 0;
      in >> seq;
      feed.store_ahead(seq);
    } else if (verb == "stop") {
      feed.stop();
    } else {
      ADD_FAILURE() << "unknown step: " << step;
    }
  }
  return out.log;
}

struct Row {
  const char* name;
  const char* script;
  std::vector<std::string> expected;
  std::size_t limit = 1000;
};

const std::vector<Row> kRows = {
    {"join before started", "join; snap 0; ev 1; ev 2", {"read", "connected", "send 1", "send 2"}},
    {"join between events: what the snapshot holds is not sent again",
     "join; ev 5; snap 5; ev 6",
     {"read", "connected", "send 6"}},
    {"join inside a burst",
     "join; ev 5; ev 6; ev 7; ev 8; ev 9; snap 7",
     {"read", "connected", "send 8", "send 9"}},
    {"join after the end", "join; snap 12 completed", {"read", "connected", "end job completed"}},
    {"join after a cancel", "join; snap 4 cancelled", {"read", "connected", "end job cancelled"}},
    {"snapshot older than the buffered events",
     "join; ev 6; ev 7; snap 5; ev 8",
     {"read", "connected", "send 6", "send 7", "send 8"}},
    {"snapshot newer than every buffered event",
     "join; ev 3; ev 4; snap 6; ev 7",
     {"read", "connected", "send 7"}},
    {"duplicate deliveries (RabbitMQ is at-least-once)",
     "join; snap 2; ev 3; ev 3; ev 2; ev 4",
     {"read", "connected", "send 3", "send 4"}},
    {"a missing seq: a fresh snapshot, never the gap",
     "join; snap 2; ev 3; ev 5; snap 5; ev 6",
     {"read", "connected", "send 3", "read", "connected", "send 6"}},
    {"a missing seq between the snapshot and the buffer",
     "join; ev 8; snap 5; ev 9; snap 8",
     {"read", "connected", "read", "connected", "send 9"}},
    {"a hole the fresh snapshot still has is not chased twice",
     "join; snap 2; ev 5; snap 3",
     {"read", "connected", "read", "connected", "send 5"}},
    {"the final event arrives before the snapshot",
     "join; ev 9 C; snap 8",
     {"read", "connected", "send 9", "end job completed"}},
    {"the final event and a snapshot that has it",
     "join; ev 9 C; snap 9 completed",
     {"read", "connected", "end job completed"}},
    {"a failed job ends the feed",
     "join; snap 1; ev 2 F; ev 3",
     {"read", "connected", "send 2", "end job failed"}},
    {"the bus reconnected while live",
     "join; snap 2; lost; ev 3; snap 3; ev 4",
     {"read", "connected", "read", "connected", "send 4"}},
    {"the bus reconnected during the read: one more read after it",
     "join; lost; ev 3; snap 2; ev 4; snap 4; ev 5",
     {"read", "connected", "send 3", "read", "connected", "send 5"}},
    {"a read cannot be outrun by more than the limit",
     "join; ev 1; ev 2; ev 3",
     {"read", "overflow"},
     25},
    {"resumed from the ring",
     "resume 4 [5 6]; ev 6; ev 7",
     {"resumed 4", "send 5", "send 6", "send 7"}},
    {"resumed with nothing missed", "resume 7 []; ev 8", {"resumed 7", "send 8"}},
    {"resumed up to the end",
     "resume 4 [5 6C]; ev 7",
     {"resumed 4", "send 5", "send 6", "end job completed"}},
    {"a resume the ring cannot serve reads the snapshot",
     "resume 4 none; ev 10; snap 9",
     {"read", "connected", "send 10"}},
    {"a hole in the ring's replay reads the snapshot",
     "resume 4 [5 7]; ev 8; snap 7",
     {"resumed 4", "send 5", "read", "connected", "send 8"}},
    {"the store past the bus: its end is read and ends the feed",
     "join; snap 1; store 4; snap 4 completed",
     {"read", "connected", "read", "connected", "end job completed"}},
    {"the store at what this watcher has: nothing to do",
     "join; snap 4; store 4; ev 5",
     {"read", "connected", "send 5"}},
    {"the store past a read under way: one more read after it",
     "join; store 6; snap 5; snap 6",
     {"read", "connected", "read", "connected"}},
    {"the store past the bus, then the bus catches up: its late events are not sent twice",
     "join; snap 1; store 3; ev 2; ev 3; snap 3; ev 3; ev 4",
     {"read", "connected", "read", "connected", "send 4"}},
    {"nothing after stop", "join; stop; snap 3; ev 4; lost; store 9", {"read"}},
};

TEST(JobFeed, EveryJoinTimeAndOrder) {
  for (const auto& row : kRows) {
    EXPECT_EQ(run(row.script, row.limit), row.expected) << row.name << ": " << row.script;
  }
}

TEST(JobFeed, ReportsWhereItIs) {
  Recorder out;
  JobFeed feed(out, 100);
  EXPECT_FALSE(feed.live());
  feed.joined();
  EXPECT_FALSE(feed.live());
  feed.snapshot(3, std::nullopt);
  EXPECT_TRUE(feed.live());
  EXPECT_EQ(feed.last_seq(), 3u);
}

}  // namespace
