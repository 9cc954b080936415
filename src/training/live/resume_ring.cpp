#include "training/live/resume_ring.hpp"

#include <algorithm>

namespace levain::training {

void ResumeRings::add(const std::string& job_id, const EventPtr& event, Clock::time_point now) {
  expire(now);
  if (limits_.events == 0) return;
  auto it = rings_.find(job_id);
  if (it == rings_.end()) {
    if (rings_.size() >= limits_.jobs) make_room();
    it = rings_.emplace(job_id, Ring{}).first;
  }
  auto& ring = it->second;
  if (!ring.events.empty()) {
    const auto last = ring.events.back()->seq;
    if (event->seq <= last) return;  // a redelivery
    if (event->seq != last + 1) {    // a hole: nothing before it can be served
      total_bytes_ -= ring.bytes;
      ring.bytes = 0;
      ring.events.clear();
    }
  }
  const auto size = event->payload->size();
  ring.fed = now;
  ring.events.push_back(event);
  ring.bytes += size;
  total_bytes_ += size;
  while (ring.events.size() > limits_.events ||
         (ring.bytes > limits_.bytes && ring.events.size() > 1)) {
    const auto front = ring.events.front()->payload->size();
    ring.bytes -= front;
    total_bytes_ -= front;
    ring.events.pop_front();
  }
  if (event->terminal && !ring.ended) {
    ring.ended = true;
    ended_.emplace_back(now, job_id);
  }
}

std::optional<std::vector<EventPtr>> ResumeRings::after(const std::string& job_id,
                                                        std::uint64_t since,
                                                        Clock::time_point now) {
  expire(now);
  const auto it = rings_.find(job_id);
  if (since == 0 || it == rings_.end() || it->second.events.empty()) return std::nullopt;
  const auto& events = it->second.events;
  if (since + 1 < events.front()->seq || since > events.back()->seq) return std::nullopt;
  // Had everything of a job that is over: nothing would follow to end the stream, so the
  // watcher gets the snapshot, which does.
  if (since == events.back()->seq && events.back()->terminal) return std::nullopt;
  const auto first = events.begin() + static_cast<std::ptrdiff_t>(since + 1 - events.front()->seq);
  return std::vector<EventPtr>(first, events.end());
}

void ResumeRings::expire(Clock::time_point now) {
  while (!ended_.empty() && ended_.front().first + limits_.grace <= now) {
    const auto it = rings_.find(ended_.front().second);
    // Not a ring made anew since for the same job id (pushed out by make_room, then fed).
    if (it != rings_.end() && it->second.ended) drop(it);
    ended_.pop_front();
  }
}

void ResumeRings::make_room() {
  const auto oldest =
      std::min_element(rings_.begin(), rings_.end(),
                       [](const auto& a, const auto& b) { return a.second.fed < b.second.fed; });
  if (oldest != rings_.end()) drop(oldest);
}

void ResumeRings::drop(std::unordered_map<std::string, Ring>::iterator it) {
  total_bytes_ -= it->second.bytes;
  rings_.erase(it);
}

}  // namespace levain::training
