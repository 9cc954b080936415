#include "training/live/rate_coalescer.hpp"

#include <array>

namespace levain::training {
namespace {

// The keys a summary takes from the latest folded event; the rest of a product_completed's data
// describes its product and goes into `products`.
constexpr std::array<std::string_view, 9> kStateKeys{
    "progress", "products_completed", "total_products", "current_step", "step_details", "elapsed_s",
    "eta_s",    "in_flight",          "summary"};

bool is_state_key(std::string_view key) {
  for (const auto k : kStateKeys) {
    if (k == key) return true;
  }
  return false;
}

}  // namespace

RateCoalescer::RateCoalescer(double max_rate) : interval_s_(1.0 / max_rate) {}

bool RateCoalescer::foldable(std::string_view type, const boost::json::object& data) {
  if (type != "product_completed") return false;
  const auto* status = data.if_contains("status");
  return status && status->is_string() && status->get_string() == "succeeded";
}

void RateCoalescer::event(std::uint64_t seq, std::string_view type, const boost::json::object& data,
                          double now_s, std::vector<Out>& out) {
  if (!foldable(type, data)) {
    if (pending_seq_ != 0) flush(now_s, out, false);
    out.push_back({seq, std::nullopt});
    return;
  }
  boost::json::object product;
  for (const auto& [key, value] : data) {
    if (is_state_key(key)) {
      pending_[key] = value;
    } else {
      product[key] = value;
    }
  }
  products_.push_back(std::move(product));
  pending_seq_ = seq;
  tick(now_s, out);
}

void RateCoalescer::tick(double now_s, std::vector<Out>& out) {
  if (pending_seq_ == 0) return;
  if (last_paced_s_ && now_s < *last_paced_s_ + interval_s_) return;
  flush(now_s, out, true);
}

std::optional<double> RateCoalescer::due() const {
  if (pending_seq_ == 0) return std::nullopt;
  return last_paced_s_ ? *last_paced_s_ + interval_s_ : 0.0;
}

void RateCoalescer::flush(double now_s, std::vector<Out>& out, bool paced) {
  auto data = std::move(pending_);
  data["products"] = std::move(products_);
  out.push_back({pending_seq_, std::move(data)});
  pending_ = {};
  products_ = {};
  pending_seq_ = 0;
  if (paced) last_paced_s_ = now_s;
}

}  // namespace levain::training
