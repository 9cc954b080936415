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

bool foldable(std::string_view type, const boost::json::object& data) {
  if (type != "product_completed") return false;
  const auto* status = data.if_contains("status");
  return status && status->is_string() && status->get_string() == "succeeded";
}

boost::json::object summary_data(const std::vector<const boost::json::object*>& folded) {
  boost::json::object out;
  boost::json::array products;
  products.reserve(folded.size());
  for (const auto* data : folded) {
    boost::json::object product;
    for (const auto& [key, value] : *data) {
      if (!is_state_key(key)) product[key] = value;
    }
    products.push_back(std::move(product));
  }
  if (!folded.empty()) {
    for (const auto& [key, value] : *folded.back()) {
      if (is_state_key(key)) out[key] = value;
    }
  }
  out["products"] = std::move(products);
  return out;
}

}  // namespace levain::training
