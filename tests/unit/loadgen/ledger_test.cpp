#include "loadgen/ledger.hpp"

#include <gtest/gtest.h>

namespace levain::loadgen {
namespace {

using Apply = ClientLedger::Apply;

TEST(Ledger, AJoinBeforeTheJobExpectsEveryEvent) {
  ClientLedger l;
  EXPECT_EQ(l.on_snapshot(0), Apply::joined);
  for (std::uint64_t s = 1; s < 10; ++s) EXPECT_EQ(l.on_event(s, false), Apply::event);
  EXPECT_EQ(l.on_event(10, true), Apply::event);
  EXPECT_EQ(l.terminal_seq(), 10u);
  const Tally t = l.tally(10);
  EXPECT_EQ(t.expected, 10u);
  EXPECT_EQ(t.received, 10u);
  EXPECT_EQ(t.lost, 0u);
  EXPECT_EQ(t.gaps, 0u);
}

TEST(Ledger, ALateJoinerExpectsOnlyWhatFollowsItsSnapshot) {
  ClientLedger l;
  l.on_snapshot(40);
  for (std::uint64_t s = 41; s <= 52; ++s) l.on_event(s, s == 52);
  const Tally t = l.tally(52);
  EXPECT_EQ(t.expected, 12u);
  EXPECT_EQ(t.received, 12u);
  EXPECT_EQ(t.lost, 0u);
}

TEST(Ledger, AJoinAfterTheEndExpectsNothing) {
  ClientLedger l;
  l.on_snapshot(52);
  const Tally t = l.tally(52);
  EXPECT_EQ(t.expected, 0u);
  EXPECT_EQ(t.lost, 0u);
}

TEST(Ledger, GapsInsideTheStreamAreLost) {
  ClientLedger l;
  l.on_snapshot(2);
  EXPECT_EQ(l.on_event(3, false), Apply::event);
  EXPECT_EQ(l.on_event(6, false), Apply::gap);  // 4 and 5 missing
  EXPECT_EQ(l.on_event(7, false), Apply::event);
  EXPECT_EQ(l.on_event(9, true), Apply::gap);  // 8 missing
  const Tally t = l.tally(9);
  EXPECT_EQ(t.expected, 7u);
  EXPECT_EQ(t.received, 4u);
  EXPECT_EQ(t.lost, 3u);
  EXPECT_EQ(t.gaps, 2u);
}

TEST(Ledger, AConnectionThatEndsEarlyLosesTheRest) {
  // E.g. closed with 1008: it saw 1..5 of a job that went on to 20.
  ClientLedger l;
  l.on_snapshot(0);
  for (std::uint64_t s = 1; s <= 5; ++s) l.on_event(s, false);
  const Tally t = l.tally(20);
  EXPECT_EQ(t.expected, 20u);
  EXPECT_EQ(t.received, 5u);
  EXPECT_EQ(t.lost, 15u);
}

TEST(Ledger, DuplicatesAreCountedNotReceived) {
  ClientLedger l;
  l.on_snapshot(1);
  l.on_event(2, false);
  EXPECT_EQ(l.on_event(2, false), Apply::duplicate);
  EXPECT_EQ(l.on_event(1, false), Apply::duplicate);  // already in the snapshot
  l.on_event(3, true);
  const Tally t = l.tally(3);
  EXPECT_EQ(t.received, 2u);
  EXPECT_EQ(t.duplicates, 2u);
  EXPECT_EQ(t.lost, 0u);
}

TEST(Ledger, EventsBeforeTheSnapshotAndSecondSnapshotsAreProtocolErrors) {
  ClientLedger l;
  EXPECT_EQ(l.on_event(1, false), Apply::before_snapshot);
  EXPECT_FALSE(l.joined());
  EXPECT_EQ(l.tally(10).expected, 0u);  // never joined: nothing expected of it
  l.on_snapshot(1);
  EXPECT_EQ(l.on_snapshot(4), Apply::second_snapshot);
  EXPECT_EQ(l.snapshot_seq(), 1u);
  EXPECT_EQ(l.protocol_errors(), 2u);
}

TEST(Ledger, SeeingMoreThanTheFinalSeqNeverGivesNegativeLoss) {
  // The final seq came from a REST read that raced the last events.
  ClientLedger l;
  l.on_snapshot(0);
  for (std::uint64_t s = 1; s <= 8; ++s) l.on_event(s, false);
  const Tally t = l.tally(6);
  EXPECT_EQ(t.expected, 8u);
  EXPECT_EQ(t.received, 8u);
  EXPECT_EQ(t.lost, 0u);
}

}  // namespace
}  // namespace levain::loadgen
