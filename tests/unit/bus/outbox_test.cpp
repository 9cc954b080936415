// The outbox alone (no broker): publish order, confirms, resend after a lost connection, and the
// drop policy of a full outbox (oldest waiting progress event first; terminal events never).

#include "bus/outbox.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using levain::bus::Outbox;
using levain::bus::OutboxEntry;

namespace {

OutboxEntry progress(const std::string& name) {
  return {"training.progress", std::make_shared<const std::string>(name), true};
}
OutboxEntry terminal(const std::string& name) {
  return {"training.completed", std::make_shared<const std::string>(name), false};
}

/// Sends everything waiting with consecutive tags from `first_tag`; returns the bodies.
std::vector<std::string> send_all(Outbox& box, std::uint64_t first_tag = 1) {
  std::vector<std::string> sent;
  while (const auto* e = box.next_unsent()) {
    sent.push_back(*e->body);
    box.mark_sent(first_tag++);
  }
  return sent;
}

using Names = std::vector<std::string>;

}  // namespace

TEST(Outbox, SendsInPublishOrderAndReleasesOnConfirm) {
  Outbox box(10);
  for (const char* n : {"a", "b", "c"}) EXPECT_EQ(box.push(progress(n)), 0u);
  EXPECT_EQ(send_all(box), (Names{"a", "b", "c"}));
  EXPECT_EQ(box.in_flight(), 3u);
  EXPECT_EQ(box.confirm(2, /*multiple=*/true), 2u);
  EXPECT_EQ(box.size(), 1u);
  EXPECT_EQ(box.confirm(3, false), 1u);
  EXPECT_TRUE(box.empty());
}

TEST(Outbox, AnOutOfOrderConfirmWaitsForTheOnesBeforeIt) {
  Outbox box(10);
  for (const char* n : {"a", "b", "c"}) box.push(progress(n));
  send_all(box);
  EXPECT_EQ(box.confirm(2, false), 0u);  // "a" is not confirmed yet: nothing released
  EXPECT_EQ(box.size(), 3u);
  EXPECT_EQ(box.confirm(1, false), 2u);  // now "a" and "b" go
  EXPECT_EQ(box.size(), 1u);
}

TEST(Outbox, RewindResendsTheUnconfirmedFirstThenTheRestInOrder) {
  Outbox box(10);
  for (const char* n : {"a", "b", "c", "d"}) box.push(progress(n));
  EXPECT_EQ(send_all(box).size(), 4u);
  box.confirm(1, false);  // "a" done
  box.confirm(3, false);  // "c" done, but behind "b"
  box.push(progress("e"));
  box.rewind();  // connection lost: tags start again on the next channel
  EXPECT_EQ(box.in_flight(), 0u);
  EXPECT_EQ(send_all(box), (Names{"b", "d", "e"}));
  EXPECT_EQ(box.confirm(3, true), 3u);
  EXPECT_TRUE(box.empty());
}

TEST(Outbox, FullDropsTheOldestWaitingProgressEventFirst) {
  Outbox box(3);
  box.push(progress("p1"));
  box.push(terminal("t1"));
  box.push(progress("p2"));
  EXPECT_EQ(box.push(progress("p3")), 1u);  // p1 goes
  EXPECT_EQ(box.size(), 3u);
  EXPECT_EQ(send_all(box), (Names{"t1", "p2", "p3"}));
}

TEST(Outbox, NeverDropsTerminalEventsEvenPastTheLimit) {
  Outbox box(2);
  box.push(terminal("t1"));
  box.push(terminal("t2"));
  EXPECT_EQ(box.push(progress("p")), 1u) << "with only terminal events, the new progress goes";
  EXPECT_EQ(box.push(terminal("t3")), 0u) << "a terminal event is kept past the limit";
  EXPECT_EQ(box.size(), 3u);
  EXPECT_EQ(box.push(progress("p2")), 1u);
  EXPECT_EQ(send_all(box), (Names{"t1", "t2", "t3"}));
}

TEST(Outbox, ATerminalEventPushesOutTheOldestProgressEvent) {
  Outbox box(2);
  box.push(progress("p1"));
  box.push(progress("p2"));
  EXPECT_EQ(box.push(terminal("t")), 1u);
  EXPECT_EQ(send_all(box), (Names{"p2", "t"}));
}

TEST(Outbox, InFlightMessagesAreNotDroppedOnlyWaitingOnes) {
  Outbox box(2);
  box.push(progress("sent"));
  send_all(box);
  box.push(progress("waiting"));
  EXPECT_EQ(box.push(progress("new")), 1u);  // "waiting" goes, "sent" may be at the broker
  box.rewind();
  EXPECT_EQ(send_all(box), (Names{"sent", "new"}));
}

TEST(Outbox, RejectsAZeroLimitAndMarkSentWithNothingToSend) {
  EXPECT_THROW(Outbox(0), std::invalid_argument);
  Outbox box(1);
  EXPECT_THROW(box.mark_sent(1), std::logic_error);
  EXPECT_EQ(box.confirm(42, true), 0u);  // a confirm for nothing is harmless
}
