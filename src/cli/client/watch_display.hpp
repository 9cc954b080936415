#pragma once
/// How `levain watch` shows a job: on a terminal one line redrawn with '\r', elsewhere a line per
/// change (readable in logs); notices and the final result around it. Beast-free so it stays cheap.

#include <cstddef>
#include <ostream>
#include <string>

#include "cli/client/live_state.hpp"

namespace levain::cli {

class WatchDisplay {
 public:
  WatchDisplay(std::ostream& out, std::ostream& err, bool redraw, bool quiet, std::size_t width);

  /// Draws the state when its rendered line changed.
  void show(const LiveState& state);
  /// A message about the connection (reconnects, ignored messages); suppressed when quiet.
  void notice(const std::string& text);
  /// An error that ends the watch; always shown.
  void error(const std::string& text);
  /// The job's final result: "job J completed: 58/60 products" on out, or the reason on err.
  void result(const LiveState& state);

 private:
  void end_line();

  std::ostream& out_;
  std::ostream& err_;
  bool redraw_;
  bool quiet_;
  std::size_t width_;
  std::string last_line_;
  bool line_open_ = false;  // a redrawn line without its newline yet
};

}  // namespace levain::cli
