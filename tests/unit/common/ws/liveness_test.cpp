// The keep-alive rule of both WebSocket sides, as a table: what each tick does after what the
// peer did since the one before.
#include "common/ws/liveness.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using levain::common::ws::Liveness;
using Action = Liveness::Action;

struct Case {
  const char* name;
  std::string script;  // per tick: 'h' the peer was heard before it, '.' it was silent
  std::vector<Action> expected;
};

TEST(Liveness, EachTickAfterWhatThePeerDid) {
  const std::vector<Case> cases = {
      {"always heard", "hhhh", {Action::none, Action::none, Action::none, Action::none}},
      {"silent from the start", "..", {Action::ping, Action::cut}},
      {"answers the ping", ".h.h", {Action::ping, Action::none, Action::ping, Action::none}},
      {"silent after talking", "h..", {Action::none, Action::ping, Action::cut}},
      {"heard resets a ping", ".h..", {Action::ping, Action::none, Action::ping, Action::cut}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Liveness l;
    std::vector<Action> got;
    for (const char step : c.script) {
      if (step == 'h') l.heard();
      got.push_back(l.tick());
    }
    EXPECT_EQ(got, c.expected);
  }
}

}  // namespace
