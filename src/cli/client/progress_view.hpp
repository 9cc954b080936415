#pragma once
/// Renders a job's progress as one terminal line:
///   [#########...........]  45%  Model Training  27/60  ETA 1m05s  MASE 0.83  fitting Rye
/// Pure (no I/O) so the layout rules — fit the width, never split a UTF-8 character — are tested.

#include <cstddef>
#include <string>

#include "cli/client/live_state.hpp"

namespace levain::cli {

struct ProgressFields {
  int progress = 0;  // clamped to 0..100 when drawn
  std::string step;
  int products_completed = 0;
  int total_products = 0;  // 0: the "27/60" part is left out
  std::string product;
  bool product_failed = false;  // shown in red when colour is on
  std::string detail;  // "ETA 1m05s  MASE 0.83  fitting Rye +1" (shortened before the step)
};

/// "45s", "3m05s", "1h02m": what an ETA needs, no more.
std::string format_duration(double seconds);

ProgressFields progress_fields(const LiveState& state);

/// At most `width` visible characters (code points); ANSI colour codes only when `colour`.
/// The product name is shortened first ("..."), then the step, so the bar and percentage stay.
std::string render_progress(const ProgressFields& fields, std::size_t width, bool colour);

/// Visible length in code points (what render_progress keeps within `width`).
std::size_t visible_length(const std::string& text);

}  // namespace levain::cli
