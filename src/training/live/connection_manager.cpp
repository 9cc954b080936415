#include "training/live/connection_manager.hpp"

#include <algorithm>
#include <boost/json/object.hpp>
#include <vector>

#include "common/json_text.hpp"

namespace levain::training {

std::string watcher_quota_reason(const JoinResult& refused, const WatcherCaps& caps) {
  const bool per_job = refused.outcome == JoinOutcome::job_full;
  const std::size_t value = per_job ? caps.per_job : caps.per_tenant;
  // No `used`: with the message it would not fit the 123 bytes at the largest quota.
  return common::to_json_text(boost::json::object{
      {"limit", per_job ? "watchers_per_job" : "watchers_per_tenant"},
      {"value", value},
      {"retry_after_s", kWatcherRetryS},
      {"message", "at most " + std::to_string(value) + (value == 1 ? " watcher" : " watchers") +
                      (per_job ? " per job" : " per tenant")}});
}

bool ConnectionManager::join(const std::string& job_id, const std::shared_ptr<LiveSink>& sink) {
  std::optional<std::vector<EventPtr>> unused;
  return join(job_id, sink, 0, unused);
}

bool ConnectionManager::join(const std::string& job_id, const std::shared_ptr<LiveSink>& sink,
                             std::uint64_t since, std::optional<std::vector<EventPtr>>& replay) {
  return join(job_id, "", sink, since, replay, {}).outcome == JoinOutcome::joined;
}

JoinResult ConnectionManager::join(const std::string& job_id, const std::string& tenant,
                                   const std::shared_ptr<LiveSink>& sink, std::uint64_t since,
                                   std::optional<std::vector<EventPtr>>& replay,
                                   const WatcherCaps& caps) {
  std::lock_guard lock(mutex_);
  if (shut_down_) return {JoinOutcome::shut_down, 0};
  const auto here = jobs_.find(job_id);
  const std::size_t job_now =
      (here == jobs_.end() ? 0 : here->second.size()) + presence_.watchers(job_id);
  if (caps.per_job > 0 && job_now >= caps.per_job) return {JoinOutcome::job_full, job_now};
  if (caps.per_tenant > 0 && !tenant.empty()) {
    const auto local = tenant_local_.find(tenant);
    const std::size_t tenant_now =
        (local == tenant_local_.end() ? 0 : local->second) + tenant_presence_.watchers(tenant);
    if (tenant_now >= caps.per_tenant) return {JoinOutcome::tenant_full, tenant_now};
  }
  if (since > 0) replay = rings_.after(job_id, since, ResumeRings::Clock::now());
  auto& sinks = jobs_[job_id];
  const auto [it, inserted] = sinks.emplace(sink.get(), sink);
  if (inserted) {
    ++sessions_;
    if (sinks.size() == 1) quiet_.watched(job_id, QuietJobs::Clock::now());
    if (!tenant.empty()) {
      job_tenant_.try_emplace(job_id, tenant);
      ++tenant_local_[tenant];
    }
  } else {
    it->second = sink;  // the same sink again (its weak_ptr kept the address from reuse)
  }
  // The first watcher's `connected` tells the count; from then on only changes are announced.
  announced_.try_emplace(job_id, sinks.size() + presence_.watchers(job_id));
  return {JoinOutcome::joined, 0};
}

void ConnectionManager::leave(const std::string& job_id, const LiveSink* sink) {
  std::lock_guard lock(mutex_);
  const auto it = jobs_.find(job_id);
  if (it == jobs_.end()) return;
  const std::size_t erased = it->second.erase(sink);
  sessions_ -= erased;
  const auto tenant = job_tenant_.find(job_id);
  if (erased > 0 && tenant != job_tenant_.end()) {
    // A job's watchers all name its one tenant (the route's, checked against the store).
    if (const auto n = tenant_local_.find(tenant->second); n != tenant_local_.end()) {
      if (--n->second == 0) tenant_local_.erase(n);
    }
  }
  if (it->second.empty()) {
    jobs_.erase(it);
    announced_.erase(job_id);
    quiet_.forget(job_id);
    if (tenant != job_tenant_.end()) job_tenant_.erase(tenant);
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

WatcherCounts ConnectionManager::local_tenant_watchers() const {
  std::lock_guard lock(mutex_);
  WatcherCounts counts;
  for (const auto& [tenant, n] : tenant_local_) {
    if (counts.size() >= kPresenceMaxJobs) break;
    counts.emplace(tenant, n);
  }
  return counts;
}

std::size_t ConnectionManager::tenant_watchers(const std::string& tenant) const {
  std::lock_guard lock(mutex_);
  const auto it = tenant_local_.find(tenant);
  return (it == tenant_local_.end() ? 0 : it->second) + tenant_presence_.watchers(tenant);
}

void ConnectionManager::presence(const std::string& replica, WatcherCounts counts,
                                 WatcherCounts tenants) {
  const auto now = PresenceTable::Clock::now();
  std::lock_guard lock(mutex_);
  presence_.expire(now);
  presence_.update(replica, std::move(counts), now);
  tenant_presence_.expire(now);
  tenant_presence_.update(replica, std::move(tenants), now);
}

void ConnectionManager::announce_watchers() {
  std::vector<std::pair<std::shared_ptr<LiveSink>, std::size_t>> targets;
  {
    std::lock_guard lock(mutex_);
    presence_.expire(PresenceTable::Clock::now());
    tenant_presence_.expire(PresenceTable::Clock::now());
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
    const auto now = ResumeRings::Clock::now();
    rings_.add(job_id, event, now);
    quiet_.heard(job_id, event->seq, now);
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

SinkList ConnectionManager::alive_locked(const std::string* job_id) const {
  SinkList out;
  const auto add = [&out](const Sinks& sinks) {
    for (const auto& [id, sink] : sinks) {
      if (auto s = sink.lock()) out.push_back(std::move(s));
    }
  };
  if (job_id == nullptr) {
    for (const auto& [job, sinks] : jobs_) add(sinks);
  } else if (const auto it = jobs_.find(*job_id); it != jobs_.end()) {
    add(it->second);
  }
  return out;
}

std::size_t ConnectionManager::resnapshot_all() {
  SinkList targets;
  {
    std::lock_guard lock(mutex_);
    targets = alive_locked(nullptr);
  }
  for (const auto& s : targets) s->resnapshot();
  return targets.size();
}

std::vector<ConnectionManager::QuietJob> ConnectionManager::quiet_jobs(
    QuietJobs::Clock::time_point now, std::size_t max) {
  std::vector<QuietJob> out;
  std::lock_guard lock(mutex_);
  if (shut_down_) return out;
  for (auto& job : quiet_.due(now, max)) {
    const auto tenant = job_tenant_.find(job);
    if (tenant == job_tenant_.end()) continue;  // joins that named no tenant (unit tests)
    out.push_back({std::move(job), tenant->second});
  }
  return out;
}

void ConnectionManager::snapshot_read(const std::string& job_id, std::uint64_t seq) {
  std::lock_guard lock(mutex_);
  quiet_.read(job_id, seq);
}

bool ConnectionManager::store_at(const std::string& job_id, std::uint64_t seq) {
  SinkList targets;
  {
    std::lock_guard lock(mutex_);
    if (!quiet_.stored_at(job_id, seq)) return false;
    targets = alive_locked(&job_id);
  }
  for (const auto& s : targets) s->store_ahead(seq);
  return true;
}

void ConnectionManager::shutdown_all(std::uint16_t close_code, const std::string& reason) {
  SinkList targets;
  {
    std::lock_guard lock(mutex_);
    shut_down_ = true;
    targets = alive_locked(nullptr);
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
