#include "training/live/quiet_jobs.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

using namespace levain::training;
using std::chrono::seconds;

namespace {

const auto t0 = QuietJobs::Clock::time_point{} + seconds(1000);

struct Row {
  const char* name;
  // At t0 + `at` s: "watch J", "hear J SEQ", "read J SEQ", "forget J", "due N" (expects `due`), or
  // "store J SEQ" (expects `ahead`).
  std::vector<std::pair<int, std::string>> steps;
  std::vector<std::vector<std::string>> due;  // what each "due" returns, in order
  std::vector<bool> ahead;                    // what each "store" returns, in order
};

const std::vector<Row> kRows = {
    {"a watched job is due after the interval, not before",
     {{0, "watch a"}, {9, "due 10"}, {10, "due 10"}},
     {{}, {"a"}},
     {}},
    {"an event restarts the interval",
     {{0, "watch a"}, {8, "hear a 1"}, {12, "due 10"}, {18, "due 10"}},
     {{}, {"a"}},
     {}},
    {"one check per interval, answered or not",
     {{0, "watch a"}, {10, "due 10"}, {15, "due 10"}, {20, "due 10"}},
     {{"a"}, {}, {"a"}},
     {}},
    {"the oldest first, at most N",
     {{0, "watch a"}, {2, "watch b"}, {1, "watch c"}, {30, "due 2"}, {30, "due 2"}},
     {{"a", "c"}, {"b"}},
     {}},
    {"the store ahead of what the bus brought, once per seq",
     {{0, "watch a"}, {1, "hear a 4"}, {20, "store a 4"}, {20, "store a 6"}, {40, "store a 6"}},
     {},
     {false, true, false}},
    {"a seq heard after a check that reported it is not news",
     {{0, "watch a"}, {20, "store a 6"}, {21, "hear a 6"}, {40, "store a 6"}, {40, "store a 7"}},
     {},
     {true, false, true}},
    {"a job nobody watches is never due nor ahead",
     {{0, "watch a"}, {1, "forget a"}, {1, "hear a 3"}, {30, "due 10"}, {30, "store a 9"}},
     {{}},
     {false}},
    {"a seq a watcher read in its snapshot is not news, and the interval goes on",
     {{0, "watch a"}, {5, "read a 7"}, {10, "due 10"}, {10, "store a 7"}, {10, "store a 8"}},
     {{"a"}},
     {false, true}},
    {"watching again does not restart the interval",
     {{0, "watch a"}, {9, "watch a"}, {10, "due 10"}},
     {{"a"}},
     {}},
};

}  // namespace

TEST(QuietJobs, WhenAJobIsDueAndWhenItsStoreIsAhead) {
  for (const auto& row : kRows) {
    SCOPED_TRACE(row.name);
    QuietJobs q(seconds(10));
    std::vector<std::vector<std::string>> due;
    std::vector<bool> ahead;
    for (const auto& [at, step] : row.steps) {
      std::istringstream in(step);
      std::string verb, job;
      in >> verb;
      const auto now = t0 + seconds(at);
      if (verb == "due") {
        std::size_t n = 0;
        in >> n;
        due.push_back(q.due(now, n));
        continue;
      }
      in >> job;
      std::uint64_t seq = 0;
      in >> seq;
      if (verb == "watch") q.watched(job, now);
      if (verb == "hear") q.heard(job, seq, now);
      if (verb == "read") q.read(job, seq);
      if (verb == "forget") q.forget(job);
      if (verb == "store") ahead.push_back(q.stored_at(job, seq));
    }
    EXPECT_EQ(due, row.due);
    EXPECT_EQ(ahead, row.ahead);
  }
}
