#include "training/live/quiet_jobs.hpp"

#include <algorithm>

namespace levain::training {

void QuietJobs::watched(const std::string& job, Clock::time_point now) {
  jobs_.try_emplace(job, Job{now, 0});
}

void QuietJobs::heard(const std::string& job, std::uint64_t seq, Clock::time_point now) {
  const auto it = jobs_.find(job);
  if (it == jobs_.end()) return;  // nobody watches it here
  it->second.since = now;
  it->second.known = std::max(it->second.known, seq);
}

void QuietJobs::read(const std::string& job, std::uint64_t seq) {
  if (const auto it = jobs_.find(job); it != jobs_.end()) {
    it->second.known = std::max(it->second.known, seq);
  }
}

void QuietJobs::forget(const std::string& job) { jobs_.erase(job); }

std::vector<std::string> QuietJobs::due(Clock::time_point now, std::size_t max) {
  std::vector<std::pair<Clock::time_point, const std::string*>> quiet;
  for (const auto& [job, state] : jobs_) {
    if (now - state.since >= quiet_for_) quiet.emplace_back(state.since, &job);
  }
  const auto n = std::min(max, quiet.size());
  std::partial_sort(quiet.begin(), quiet.begin() + static_cast<std::ptrdiff_t>(n), quiet.end());
  std::vector<std::string> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(*quiet[i].second);
    jobs_.find(out.back())->second.since = now;
  }
  return out;
}

bool QuietJobs::stored_at(const std::string& job, std::uint64_t seq) {
  const auto it = jobs_.find(job);
  if (it == jobs_.end() || seq <= it->second.known) return false;
  it->second.known = seq;
  return true;
}

}  // namespace levain::training
