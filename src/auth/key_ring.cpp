#include "auth/key_ring.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>

namespace levain::auth {

bool RefreshPlan::unknown_kid(Clock::time_point now) {
  if (wanted_) return false;
  const auto before = due();
  wanted_ = true;
  return due() < before || due() <= now;
}

RefreshPlan::Clock::time_point RefreshPlan::due() const {
  const auto scheduled = last_ + (ok_ ? refresh_ : std::min(refresh_, min_interval_));
  return wanted_ ? std::min(scheduled, last_ + min_interval_) : scheduled;
}

KeyRing::KeyRing(std::string source, Fetch fetch, KeyRingOptions options)
    : source_(std::move(source)),
      fetch_(std::move(fetch)),
      plan_(options.refresh, options.min_interval) {
  if (options.refresh <= std::chrono::seconds::zero() ||
      options.min_interval <= std::chrono::seconds::zero()) {
    throw std::invalid_argument("the key set's refresh and minimum interval must be positive");
  }
}

KeyRing::~KeyRing() { stop(); }

void KeyRing::start() {
  std::string text;
  try {
    text = fetch_();
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot read the key set from " + source_ + ": " + e.what());
  }
  KeySet set;
  try {
    set = parse_jwks(text);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error("the key set from " + source_ + " is not usable: " + e.what());
  }
  for (const auto& why : set.skipped) spdlog::warn("key set {}: skipped {}", source_, why);
  spdlog::info("key set {}: {} signing key(s)", source_, set.keys.size());
  {
    std::lock_guard lock(mutex_);
    stats_.reads = 1;
    stats_.keys = set.keys.size();
    set_ = std::make_shared<const KeySet>(std::move(set));
    text_ = std::move(text);
    generation_ = 1;
    plan_.read(RefreshPlan::Clock::now(), true);
  }
  thread_ = std::thread([this] { loop(); });
}

void KeyRing::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::shared_ptr<const Jwk> KeyRing::find(std::string_view kid) {
  std::unique_lock lock(mutex_);
  if (set_) {
    if (const Jwk* key = set_->find(kid)) return std::shared_ptr<const Jwk>(set_, key);
  }
  if (plan_.unknown_kid(RefreshPlan::Clock::now())) {
    lock.unlock();
    wake_.notify_all();
  }
  return nullptr;
}

std::uint64_t KeyRing::generation() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

KeyRing::Stats KeyRing::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void KeyRing::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    const auto due = plan_.due();
    if (RefreshPlan::Clock::now() < due) {
      // Woken early by an unknown kid (which may have moved `due`) or by stop().
      wake_.wait_until(lock, due);
      continue;
    }
    lock.unlock();
    const bool ok = read_once();
    lock.lock();
    plan_.read(RefreshPlan::Clock::now(), ok);
  }
}

bool KeyRing::read_once() {
  std::string text;
  try {
    text = fetch_();
  } catch (const std::exception& e) {
    spdlog::warn("key set {}: read failed, keeping the last good set: {}", source_, e.what());
    std::lock_guard lock(mutex_);
    ++stats_.reads;
    ++stats_.failures;
    return false;
  }
  {
    std::lock_guard lock(mutex_);
    ++stats_.reads;
    if (text == text_) return true;
  }
  try {
    auto set = std::make_shared<const KeySet>(parse_jwks(text));
    spdlog::info("key set {}: now {} signing key(s)", source_, set->keys.size());
    std::lock_guard lock(mutex_);
    stats_.keys = set->keys.size();
    set_ = std::move(set);
    text_ = std::move(text);
    ++generation_;
    return true;
  } catch (const std::invalid_argument& e) {
    spdlog::warn("key set {}: not usable, keeping the last good set: {}", source_, e.what());
    std::lock_guard lock(mutex_);
    ++stats_.failures;
    return false;
  }
}

}  // namespace levain::auth
