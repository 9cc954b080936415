#include "training/live/connection_manager.hpp"

#include <algorithm>
#include <vector>

namespace levain::training {

bool ConnectionManager::join(const std::string& job_id, const std::shared_ptr<LiveSink>& sink) {
  std::optional<std::vector<EventPtr>> unused;
  return join(job_id, sink, 0, unused);
}

bool ConnectionManager::join(const std::string& job_id, const std::shared_ptr<LiveSink>& sink,
                             std::uint64_t since, std::optional<std::vector<EventPtr>>& replay) {
  std::lock_guard lock(mutex_);
  if (shut_down_) return false;
  if (since > 0) replay = rings_.after(job_id, since, ResumeRings::Clock::now());
  auto& sinks = jobs_[job_id];
  const auto [it, inserted] = sinks.emplace(sink.get(), sink);
  if (inserted) {
    ++sessions_;
  } else {
    it->second = sink;  // the same sink again (its weak_ptr kept the address from reuse)
  }
  // The first watcher's `connected` tells the count; from then on only changes are announced.
  announced_.try_emplace(job_id, sinks.size() + presence_.watchers(job_id));
  return true;
}

void ConnectionManager::leave(const std::string& job_id, const LiveSink* sink) {
  std::lock_guard lock(mutex_);
  const auto it = jobs_.find(job_id);
  if (it == jobs_.end()) return;
  sessions_ -= it->second.erase(sink);
  if (it->second.empty()) {
    jobs_.erase(it);
    announced_.erase(job_id);
  }
}

std::size_t ConnectionManager::watchers(const std::string& job_id) const {
  std::lock_guard lock(mutex_);
  const auto it = jobs_.find(job_id);
  return (it == jobs_.end() ? 0 : it->second.size()) + presence_.watchers(job_id);
}

WatcherCounts ConnectionManager::local_watchers() const {
  std::lock_guard lock(mutex_);
  WatcherCounts counts;
  for (const auto& [job, sinks] : jobs_) {
    if (counts.size() >= kPresenceMaxJobs) break;
    counts.emplace(job, sinks.size());
  }
  return counts;
}

void ConnectionManager::presence(const std::string& replica, WatcherCounts counts) {
  const auto now = PresenceTable::Clock::now();
  std::lock_guard lock(mutex_);
  presence_.expire(now);
  presence_.update(replica, std::move(counts), now);
}

void ConnectionManager::announce_watchers() {
  std::vector<std::pair<std::shared_ptr<LiveSink>, std::size_t>> targets;
  {
    std::lock_guard lock(mutex_);
    presence_.expire(PresenceTable::Clock::now());
    for (const auto& [job, sinks] : jobs_) {
      const auto total = sinks.size() + presence_.watchers(job);
      auto [it, fresh] = announced_.try_emplace(job, total);
      if (fresh || it->second == total) continue;
      it->second = total;
      for (const auto& [id, sink] : sinks) {
        if (auto s = sink.lock()) targets.emplace_back(std::move(s), total);
      }
    }
  }
  for (const auto& [s, n] : targets) s->watchers_changed(n);
}

void ConnectionManager::broadcast(const std::string& job_id, const EventPtr& event) {
  const std::size_t shards = dispatch_ ? dispatch_->shards() : 1;
  std::vector<SinkList> by_shard(shards);
  {
    std::lock_guard lock(mutex_);
    rings_.add(job_id, event, ResumeRings::Clock::now());
    if (const auto it = jobs_.find(job_id); it != jobs_.end()) {
      for (const auto& [id, sink] : it->second) {
        auto s = sink.lock();
        if (!s) continue;
        auto& list = by_shard[dispatch_ ? std::min(s->shard(), shards - 1) : 0];
        if (list.empty()) list.reserve(it->second.size() / shards + 1);
        list.push_back(std::move(s));
      }
    }
  }
  if (dispatch_) return dispatch_->deliver(event, std::move(by_shard));
  for (const auto& s : by_shard[0]) {
    s->deliver(event);
    s->flush();
  }
}

std::size_t ConnectionManager::resnapshot_all() {
  std::vector<std::shared_ptr<LiveSink>> targets;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [job, entries] : jobs_) {
      for (const auto& [id, sink] : entries) {
        if (auto s = sink.lock()) targets.push_back(std::move(s));
      }
    }
  }
  for (const auto& s : targets) s->resnapshot();
  return targets.size();
}

void ConnectionManager::shutdown_all(std::uint16_t close_code, const std::string& reason) {
  std::vector<std::shared_ptr<LiveSink>> targets;
  {
    std::lock_guard lock(mutex_);
    shut_down_ = true;
    for (const auto& [job, entries] : jobs_) {
      for (const auto& [id, sink] : entries) {
        if (auto s = sink.lock()) targets.push_back(std::move(s));
      }
    }
  }
  for (const auto& s : targets) s->shutdown(close_code, reason);
}

std::size_t ConnectionManager::session_count() const {
  std::lock_guard lock(mutex_);
  return sessions_;
}

std::size_t ConnectionManager::job_count() const {
  std::lock_guard lock(mutex_);
  return jobs_.size();
}

}  // namespace levain::training
