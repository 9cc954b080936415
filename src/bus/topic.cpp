#include <vector>

#include "bus/event_bus.hpp"

namespace levain::bus {

namespace {

std::vector<std::string_view> split_words(std::string_view s) {
  std::vector<std::string_view> words;
  std::size_t start = 0;
  while (true) {
    const auto dot = s.find('.', start);
    words.push_back(s.substr(start, dot == std::string_view::npos ? s.npos : dot - start));
    if (dot == std::string_view::npos) return words;
    start = dot + 1;
  }
}

// Classic two-index match with backtracking to the last `#`; patterns are tiny.
bool match(const std::vector<std::string_view>& p, std::size_t pi,
           const std::vector<std::string_view>& k, std::size_t ki) {
  if (pi == p.size()) return ki == k.size();
  if (p[pi] == "#") {
    for (std::size_t skip = ki; skip <= k.size(); ++skip) {
      if (match(p, pi + 1, k, skip)) return true;
    }
    return false;
  }
  if (ki == k.size()) return false;
  if (p[pi] != "*" && p[pi] != k[ki]) return false;
  return match(p, pi + 1, k, ki + 1);
}

}  // namespace

bool topic_matches(std::string_view pattern, std::string_view routing_key) {
  return match(split_words(pattern), 0, split_words(routing_key), 0);
}

}  // namespace levain::bus
