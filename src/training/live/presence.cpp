#include "training/live/presence.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/json.hpp>
#include <memory>

#include "common/json_text.hpp"
#include "training/live/connection_manager.hpp"

namespace levain::training {

namespace {
// Counts go out at least this often, so the others can tell a quiet replica from a dead one.
constexpr std::chrono::seconds kRepublish{5};
constexpr std::chrono::seconds kTick{1};
}  // namespace

namespace {

boost::json::object encode_counts(const WatcherCounts& counts) {
  boost::json::object out;
  std::size_t n = 0;
  for (const auto& [key, watchers] : counts) {
    if (++n > kPresenceMaxJobs) break;
    out[key] = watchers;
  }
  return out;
}

void parse_counts(const boost::json::object& in, WatcherCounts& out) {
  for (const auto& [key, count] : in) {
    if (out.size() >= kPresenceMaxJobs) break;
    if (!count.is_int64() || count.get_int64() <= 0) continue;
    out.emplace(std::string(key), static_cast<std::size_t>(count.get_int64()));
  }
}

}  // namespace

std::string encode_presence(std::string_view replica, const WatcherCounts& counts,
                            const WatcherCounts& tenants) {
  boost::json::object message{{"replica", replica}, {"jobs", encode_counts(counts)}};
  if (!tenants.empty()) message["tenants"] = encode_counts(tenants);
  return common::to_json_text(message);
}

std::optional<PresenceNews> parse_presence(std::string_view body) {
  boost::system::error_code ec;
  const auto v = boost::json::parse(body, ec);
  const auto* o = ec ? nullptr : v.if_object();
  const auto* replica = o ? o->if_contains("replica") : nullptr;
  const auto* jobs = o ? o->if_contains("jobs") : nullptr;
  if (!replica || !replica->is_string() || !jobs || !jobs->is_object()) return std::nullopt;
  PresenceNews news{std::string(replica->get_string()), {}, {}};
  parse_counts(jobs->get_object(), news.counts);
  if (const auto* tenants = o->if_contains("tenants"); tenants && tenants->is_object()) {
    parse_counts(tenants->get_object(), news.tenants);
  }
  return news;
}

void PresenceTable::subtract(const WatcherCounts& counts) {
  for (const auto& [job, n] : counts) {
    const auto it = totals_.find(job);
    if (it == totals_.end()) continue;
    it->second -= std::min(it->second, n);
    if (it->second == 0) totals_.erase(it);
  }
}

void PresenceTable::update(const std::string& replica, WatcherCounts counts,
                           Clock::time_point now) {
  auto it = replicas_.find(replica);
  if (it == replicas_.end()) {
    if (replicas_.size() >= max_replicas_) return;
    it = replicas_.emplace(replica, Replica{}).first;
  } else {
    subtract(it->second.counts);
  }
  for (const auto& [job, n] : counts) totals_[job] += n;
  it->second = Replica{now, std::move(counts)};
}

void PresenceTable::expire(Clock::time_point now) {
  for (auto it = replicas_.begin(); it != replicas_.end();) {
    if (now - it->second.seen < ttl_) {
      ++it;
      continue;
    }
    subtract(it->second.counts);
    it = replicas_.erase(it);
  }
}

std::size_t PresenceTable::watchers(const std::string& job_id) const {
  const auto it = totals_.find(job_id);
  return it == totals_.end() ? 0 : it->second;
}

WatcherPresence::WatcherPresence(bus::EventBus& bus, ConnectionManager& manager,
                                 std::string replica_id, boost::asio::any_io_executor executor)
    : bus_(bus),
      manager_(manager),
      replica_id_(std::move(replica_id)),
      timer_(boost::asio::make_strand(executor)) {}

WatcherPresence::~WatcherPresence() { stop(); }

void WatcherPresence::start() {
  running_ = true;
  subscription_ = bus_.subscribe(std::string(kPresenceKey), [this](const bus::Message& m) {
    auto news = parse_presence(*m.body);
    if (!news) {
      spdlog::warn("presence: dropped a message on {} that is not a count", m.routing_key);
      return;
    }
    if (news->replica == replica_id_) return;  // our own, back from the broker
    manager_.presence(news->replica, std::move(news->counts), std::move(news->tenants));
  });
  boost::asio::post(timer_.get_executor(), [this] { tick(); });
}

void WatcherPresence::stop() {
  if (!running_.exchange(false)) return;
  bus_.unsubscribe(subscription_);
  // The timer is the strand's: cancelled there, and a tick under way sees running_ and stops.
  boost::asio::post(timer_.get_executor(), [this] { timer_.cancel(); });
}

void WatcherPresence::tick() {
  if (!running_) return;
  const auto now = std::chrono::steady_clock::now();
  auto counts = manager_.local_watchers();
  auto tenants = manager_.local_tenant_watchers();
  if (counts != published_ || tenants != published_tenants_ || now - published_at_ >= kRepublish) {
    try {
      bus_.publish(std::string(kPresenceKey), std::make_shared<const std::string>(
                                                  encode_presence(replica_id_, counts, tenants)));
    } catch (const std::exception& e) {
      spdlog::warn("presence: could not publish this replica's watchers: {}", e.what());
    }
    published_ = std::move(counts);
    published_tenants_ = std::move(tenants);
    published_at_ = now;
  }
  manager_.announce_watchers();
  timer_.expires_after(kTick);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec && running_) tick();
  });
}

}  // namespace levain::training
