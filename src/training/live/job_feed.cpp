#include "training/live/job_feed.hpp"

#include <utility>

namespace levain::training {

void JobFeed::joined() {
  if (phase_ == Phase::idle) load();
}

void JobFeed::resumed(std::uint64_t since, std::optional<std::vector<EventPtr>> replay) {
  if (phase_ != Phase::idle) return;
  if (!replay) return load();
  phase_ = Phase::live;
  last_seq_ = since;
  hole_refreshed_at_ = since;
  actions_.send_resumed(since);
  for (const auto& e : *replay) event(e);
}

void JobFeed::event(const EventPtr& e) {
  switch (phase_) {
    case Phase::idle:
    case Phase::done:
      return;
    case Phase::loading:
      buffered_bytes_ += e->payload->size();
      if (buffered_bytes_ > buffer_limit_) {
        stop();
        return actions_.overflow();
      }
      buffered_.push_back(e);
      return;
    case Phase::live:
      return forward(e);
  }
}

void JobFeed::forward(const EventPtr& e) {
  if (e->seq <= last_seq_) return;  // in the snapshot already, or a redelivery
  if (e->seq > last_seq_ + 1 && e->seq > hole_refreshed_at_) {
    hole_refreshed_at_ = e->seq;
    refresh();
    return event(e);  // buffered for after the fresh snapshot
  }
  last_seq_ = e->seq;
  actions_.send_event(e);
  if (e->terminal) finish(e->type == "completed" ? "job completed" : "job failed");
}

void JobFeed::snapshot(std::uint64_t seq, std::optional<std::string_view> ended_as) {
  if (phase_ != Phase::loading) return;
  phase_ = Phase::live;
  last_seq_ = seq;
  actions_.send_snapshot();
  if (ended_as) return finish("job " + std::string(*ended_as));
  auto pending = std::move(buffered_);
  buffered_.clear();
  buffered_bytes_ = 0;
  // A refresh while replaying (a hole) re-buffers the rest: event() routes by phase.
  for (const auto& e : pending) event(e);
  if (reload_ && phase_ == Phase::live) {
    reload_ = false;
    refresh();
  }
}

void JobFeed::bus_lost() { refresh(); }

void JobFeed::store_ahead(std::uint64_t seq) {
  // While loading, the read under way may predate the store's seq: refresh() reads once more.
  if (phase_ == Phase::live && seq <= last_seq_) return;
  refresh();
}

void JobFeed::refresh() {
  if (phase_ == Phase::loading) {
    reload_ = true;  // the read under way may predate the loss
    return;
  }
  if (phase_ == Phase::live) load();
}

void JobFeed::load() {
  phase_ = Phase::loading;
  actions_.read_snapshot();
}

void JobFeed::finish(std::string reason) {
  stop();
  actions_.end(std::move(reason));
}

void JobFeed::stop() {
  phase_ = Phase::done;
  buffered_.clear();
  buffered_bytes_ = 0;
}

}  // namespace levain::training
