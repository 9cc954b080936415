#include "cli/client/watch_display.hpp"

#include "cli/client/job_summary.hpp"
#include "cli/client/progress_view.hpp"

namespace levain::cli {

WatchDisplay::WatchDisplay(std::ostream& out, std::ostream& err, bool redraw, bool quiet,
                           std::size_t width)
    : out_(out), err_(err), redraw_(redraw), quiet_(quiet), width_(width) {}

void WatchDisplay::show(const LiveState& state) {
  if (quiet_) return;
  std::string line = render_progress(progress_fields(state), width_, redraw_);
  if (line == last_line_) return;
  if (redraw_) {
    // "\x1b[K" clears what a longer previous line left behind.
    out_ << '\r' << line << "\x1b[K" << std::flush;
    line_open_ = true;
  } else {
    out_ << line << '\n' << std::flush;
  }
  last_line_ = std::move(line);
}

void WatchDisplay::end_line() {
  if (line_open_) {
    out_ << '\n' << std::flush;
    line_open_ = false;
  }
}

void WatchDisplay::notice(const std::string& text) {
  if (quiet_) return;
  end_line();
  err_ << "levain watch: " << text << '\n' << std::flush;
}

void WatchDisplay::error(const std::string& text) {
  end_line();
  err_ << "levain watch: " << text << '\n' << std::flush;
}

void WatchDisplay::result(const LiveState& state) {
  end_line();
  const std::string job = state.job_id().empty() ? "" : " " + state.job_id();
  if (state.status() == "completed") {
    out_ << "job" << job << " completed: " << state.products_completed() << "/"
         << state.total_products() << " products\n";
    for (const auto& line : summary_lines(state)) out_ << "  " << line << '\n';
    out_ << std::flush;
  } else {
    err_ << "job" << job << " " << state.status() << ": "
         << (state.error().empty() ? "no reason given by the server" : state.error()) << '\n'
         << std::flush;
  }
}

}  // namespace levain::cli
