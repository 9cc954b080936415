// Who is watching across replicas: the table of what the other replicas last said, the bus
// message both ways, and the manager's announcements (only changes, to every watcher of the job).
#include "training/live/presence.hpp"

#include <gtest/gtest.h>

#include <atomic>

#include "training/live/connection_manager.hpp"

using namespace levain::training;
using namespace std::chrono_literals;

namespace {

using Clock = PresenceTable::Clock;
const Clock::time_point t0{};

TEST(PresenceTable, SumsReplicasReplacesWhatEachSaidAndForgetsTheSilent) {
  PresenceTable table(15s);
  table.update("a", {{"j1", 3}, {"j2", 1}}, t0);
  table.update("b", {{"j1", 2}}, t0 + 5s);
  EXPECT_EQ(table.watchers("j1"), 5u);
  EXPECT_EQ(table.watchers("j2"), 1u);
  table.update("a", {{"j1", 1}}, t0 + 10s);  // a's watchers of j2 left
  EXPECT_EQ(table.watchers("j1"), 3u);
  EXPECT_EQ(table.watchers("j2"), 0u);
  table.expire(t0 + 21s);  // b last spoke at 5 s: gone; a at 10 s: kept
  EXPECT_EQ(table.watchers("j1"), 1u);
  EXPECT_EQ(table.replicas(), 1u);
  table.expire(t0 + 26s);
  EXPECT_EQ(table.watchers("j1"), 0u);
  EXPECT_EQ(table.replicas(), 0u);
}

TEST(PresenceTable, RemembersAtMostItsLimitOfReplicas) {
  PresenceTable table(15s, 2);
  table.update("a", {{"j", 1}}, t0);
  table.update("b", {{"j", 1}}, t0);
  table.update("c", {{"j", 1}}, t0);  // a flood of made-up replica ids does not grow it
  EXPECT_EQ(table.watchers("j"), 2u);
}

TEST(Presence, MessageRoundTripsAndGarbageIsRefused) {
  const auto body = encode_presence("r1", {{"job-a", 2}, {"job-b", 7}});
  const auto news = parse_presence(body);
  ASSERT_TRUE(news);
  EXPECT_EQ(news->replica, "r1");
  EXPECT_EQ(news->counts, (WatcherCounts{{"job-a", 2}, {"job-b", 7}}));
  EXPECT_FALSE(parse_presence("not json"));
  EXPECT_FALSE(parse_presence(R"({"replica":1,"jobs":{}})"));
  EXPECT_FALSE(parse_presence(R"({"replica":"r","jobs":[]})"));
  // Counts that are not positive integers are left out, not trusted.
  const auto odd = parse_presence(R"({"replica":"r","jobs":{"a":-1,"b":"x","c":2}})");
  ASSERT_TRUE(odd);
  EXPECT_EQ(odd->counts, (WatcherCounts{{"c", 2}}));
}

struct CountingSink : LiveSink {
  void deliver(const EventPtr&) override {}
  void shutdown(std::uint16_t, const std::string&) override {}
  void watchers_changed(std::size_t n) override { told.push_back(n); }
  std::vector<std::size_t> told;
};

TEST(Presence, TheManagerAnnouncesOnlyChangesToEveryWatcherOfTheJob) {
  ConnectionManager manager;
  auto a = std::make_shared<CountingSink>();
  auto b = std::make_shared<CountingSink>();
  ASSERT_TRUE(manager.join("j", a));
  EXPECT_EQ(manager.watchers("j"), 1u);
  manager.announce_watchers();
  EXPECT_TRUE(a->told.empty()) << "its connected said 1 already";
  ASSERT_TRUE(manager.join("j", b));
  manager.presence("other-replica", {{"j", 3}});
  EXPECT_EQ(manager.watchers("j"), 5u);
  EXPECT_EQ(manager.local_watchers(), (WatcherCounts{{"j", 2}}));
  manager.announce_watchers();
  EXPECT_EQ(a->told, std::vector<std::size_t>{5});
  EXPECT_EQ(b->told, std::vector<std::size_t>{5});
  manager.announce_watchers();  // nothing changed: nothing said
  EXPECT_EQ(a->told.size(), 1u);
  manager.leave("j", b.get());
  manager.announce_watchers();
  EXPECT_EQ(a->told, (std::vector<std::size_t>{5, 4}));
}

}  // namespace

namespace {

TEST(Presence, TenantCountsTravelBesideTheJobs) {
  const auto body = encode_presence("r1", {{"job-a", 2}}, {{"t1", 2}});
  const auto news = parse_presence(body);
  ASSERT_TRUE(news);
  EXPECT_EQ(news->tenants, (WatcherCounts{{"t1", 2}}));
  // A replica of the version before sends no tenants: it counts as none there.
  const auto old = parse_presence(R"({"replica":"r","jobs":{"a":1}})");
  ASSERT_TRUE(old);
  EXPECT_TRUE(old->tenants.empty());
}

}  // namespace
