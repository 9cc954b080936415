#include "auth/key_ring.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>

namespace levain::auth {

bool RefreshPlan::unknown_kid() {
  if (wanted_) return false;
  const auto before = due();
  wanted_ = true;
  return due() < before;
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
  if (const std::string error = read(); !error.empty()) {
    throw std::runtime_error("the key set from " + source_ + " cannot be used: " + error);
  }
  {
    std::lock_guard lock(mutex_);
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
  if (plan_.unknown_kid()) {
    lock.unlock();
    wake_.notify_all();
  }
  return nullptr;
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
    const std::string error = read();
    if (!error.empty()) {
      spdlog::warn("key set {}: keeping the last good set: {}", source_, error);
    }
    lock.lock();
    plan_.read(RefreshPlan::Clock::now(), error.empty());
  }
}

std::string KeyRing::read() {
  std::string text;
  std::shared_ptr<const KeySet> set;
  try {
    text = fetch_();
    {
      std::lock_guard lock(mutex_);
      if (set_ && text == text_) return "";  // the same document: nothing to parse again
    }
    set = std::make_shared<const KeySet>(parse_jwks(text));
  } catch (const std::invalid_argument& e) {
    ++failed_reads_;
    return std::string("not a usable key set: ") + e.what();
  } catch (const std::exception& e) {
    ++failed_reads_;
    return std::string("read failed: ") + e.what();
  }
  for (const auto& why : set->skipped) spdlog::warn("key set {}: skipped {}", source_, why);
  spdlog::info("key set {}: {} signing key(s)", source_, set->keys.size());
  std::lock_guard lock(mutex_);
  set_ = std::move(set);
  text_ = std::move(text);
  generation_.fetch_add(1, std::memory_order_release);
  return "";
}

}  // namespace levain::auth
