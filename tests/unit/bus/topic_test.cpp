#include <gtest/gtest.h>

#include "bus/event_bus.hpp"

using levain::bus::topic_matches;

TEST(TopicMatch, StarIsExactlyOneWord) {
  EXPECT_TRUE(topic_matches("training.*", "training.started"));
  // The bug this design fixes: `training.*` silently misses product events.
  EXPECT_FALSE(topic_matches("training.*", "training.product.completed"));
  EXPECT_FALSE(topic_matches("training.*", "training"));
}

TEST(TopicMatch, HashIsZeroOrMoreWords) {
  EXPECT_TRUE(topic_matches("training.#", "training.product.completed"));
  EXPECT_TRUE(topic_matches("training.#", "training.started"));
  EXPECT_TRUE(topic_matches("training.#", "training"));
  EXPECT_TRUE(topic_matches("#", "anything.at.all"));
  EXPECT_TRUE(topic_matches("#.completed", "training.product.completed"));
  EXPECT_FALSE(topic_matches("training.#", "billing.started"));
}

TEST(TopicMatch, LiteralWordsMustBeEqual) {
  EXPECT_TRUE(topic_matches("training.completed", "training.completed"));
  EXPECT_FALSE(topic_matches("training.completed", "training.failed"));
  EXPECT_TRUE(topic_matches("training.*.completed", "training.product.completed"));
  EXPECT_FALSE(topic_matches("training.*.completed", "training.completed"));
}

TEST(TopicMatch, EmptyWordsAreWords) {
  EXPECT_TRUE(topic_matches("a..b", "a..b"));
  EXPECT_TRUE(topic_matches("a.*.b", "a..b"));
  EXPECT_FALSE(topic_matches("", "a"));
}
