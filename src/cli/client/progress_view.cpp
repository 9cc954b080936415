#include "cli/client/progress_view.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace levain::cli {
namespace {

constexpr const char* kGreen = "\x1b[32m";
constexpr const char* kRed = "\x1b[31m";
constexpr const char* kReset = "\x1b[0m";
constexpr std::string_view kEllipsis = "...";

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

std::size_t code_points(std::string_view text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return !is_continuation(c); }));
}

// Keeps the first `keep` code points of `text`.
std::string take_code_points(std::string_view text, std::size_t keep) {
  std::size_t seen = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!is_continuation(text[i])) {
      if (seen == keep) return std::string(text.substr(0, i));
      ++seen;
    }
  }
  return std::string(text);
}

// Shortens `text` to at most `room` code points, marking the cut with "..." when there is space.
std::string shorten(std::string_view text, std::size_t room) {
  if (code_points(text) <= room) return std::string(text);
  if (room <= kEllipsis.size()) return take_code_points(text, room);
  return take_code_points(text, room - kEllipsis.size()) + std::string(kEllipsis);
}

}  // namespace

ProgressFields progress_fields(const LiveState& state) {
  ProgressFields fields;
  fields.progress = state.progress();
  fields.step = state.current_step();
  fields.products_completed = state.products_completed();
  fields.total_products = state.total_products();
  fields.product = state.last_product();
  fields.product_failed = state.last_product_status() == "failed";
  if (state.terminal()) return fields;
  std::string detail;
  auto add = [&detail](const std::string& part) {
    if (!detail.empty()) detail += "  ";
    detail += part;
  };
  if (const auto eta = state.eta_s()) add("ETA " + format_duration(*eta));
  if (const auto mase = state.median_mase()) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "MASE %.2f", *mase);
    add(buf);
  }
  if (!state.in_flight().empty()) {
    const auto& f = state.in_flight();
    add("fitting " + f.front() + (f.size() > 1 ? " +" + std::to_string(f.size() - 1) : ""));
    fields.product.clear();  // what runs now says more than what ran last
  }
  fields.detail = std::move(detail);
  return fields;
}

std::string format_duration(double seconds) {
  const auto s = static_cast<long long>(std::llround(std::max(0.0, seconds)));
  char buf[32];
  if (s < 60) {
    std::snprintf(buf, sizeof buf, "%llds", s);
  } else if (s < 3600) {
    std::snprintf(buf, sizeof buf, "%lldm%02llds", s / 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", s / 3600, (s / 60) % 60);
  }
  return buf;
}

std::size_t visible_length(const std::string& text) {
  std::size_t length = 0;
  bool in_escape = false;
  for (const char c : text) {
    if (in_escape) {
      in_escape = c != 'm';
    } else if (c == '\x1b') {
      in_escape = true;
    } else if (!is_continuation(c)) {
      ++length;
    }
  }
  return length;
}

std::string render_progress(const ProgressFields& fields, std::size_t width, bool colour) {
  const int percent = std::clamp(fields.progress, 0, 100);
  // The bar gives way first on narrow terminals, but never below 10 cells.
  const std::size_t cells = width >= 70 ? 20 : 10;
  const auto filled = cells * static_cast<std::size_t>(percent) / 100;

  std::string percent_text = std::to_string(percent) + "%";
  percent_text.insert(0, 4 - percent_text.size(), ' ');
  const std::string head_plain =
      "[" + std::string(filled, '#') + std::string(cells - filled, '.') + "] " + percent_text;
  if (head_plain.size() >= width) return take_code_points(head_plain, width);

  const std::string counts =
      fields.total_products > 0
          ? std::to_string(fields.products_completed) + "/" + std::to_string(fields.total_products)
          : "";
  const std::size_t room = width - head_plain.size();
  std::string step = fields.step;
  std::string counts_shown = counts;
  std::string product = fields.product;
  std::string detail = fields.detail;
  // Each optional part costs two separating spaces plus its text.
  const auto cost = [](const std::string& part) {
    return part.empty() ? 0 : 2 + code_points(part);
  };
  const auto fit = [&](std::string& part, std::size_t others) {
    if (others + cost(part) <= room) return;
    part = others + 2 < room ? shorten(part, room - others - 2) : "";
  };
  fit(product, cost(step) + cost(counts_shown) + cost(detail));
  fit(detail, cost(step) + cost(counts_shown) + cost(product));
  fit(step, cost(counts_shown) + cost(product) + cost(detail));
  if (cost(step) + cost(counts_shown) + cost(product) + cost(detail) > room) counts_shown.clear();

  std::string line;
  if (colour) {
    line = "[" + std::string(kGreen) + std::string(filled, '#') + kReset +
           std::string(cells - filled, '.') + "] " + percent_text;
  } else {
    line = head_plain;
  }
  if (!step.empty()) line += "  " + step;
  if (!counts_shown.empty()) line += "  " + counts_shown;
  if (!detail.empty()) line += "  " + detail;
  if (!product.empty()) {
    line += "  ";
    line += colour && fields.product_failed ? std::string(kRed) + product + kReset : product;
  }
  return line;
}

}  // namespace levain::cli
