// GET …/sales: what the server stored, so a chart or a dashboard shows the accepted history and
// never a browser's own copy of a CSV (rows the server rejected are not in the store).
#include "forecast/dates.hpp"
#include "training/api/training_api.hpp"
#include "training/jobs/job_json.hpp"

namespace levain::training::api {

using common::http::ApiError;
using common::http::Request;
using common::http::Response;
using common::http::Status;

namespace {

// Ten years of days (about 300 kB of JSON): the answer stays bounded whatever the range asked.
constexpr std::size_t kMaxSalesDays = 3660;
// The summary lists this many products by name; the counts and dates cover all of them.
constexpr std::size_t kMaxSummaryProducts = 1000;

std::optional<forecast::Date> date_param(const RouteMatch& route, const std::string& name) {
  const auto it = route.query.find(name);
  if (it == route.query.end()) return std::nullopt;
  const auto date = forecast::parse_iso_date(it->second);
  if (!date) {
    throw ApiError(Status::bad_request, "invalid_request",
                   "query parameter '" + name + "' must be a date as YYYY-MM-DD");
  }
  return date;
}

boost::json::value date_or_null(const std::optional<forecast::Date>& d) {
  if (!d) return nullptr;
  return boost::json::string(forecast::format_iso_date(*d));
}

boost::json::object summary_json(const SalesSummary& s) {
  boost::json::array products;
  for (const auto& p : s.products) {
    products.push_back({{"product", p.product},
                        {"first_date", forecast::format_iso_date(p.first)},
                        {"last_date", forecast::format_iso_date(p.last)},
                        {"rows", p.rows}});
  }
  boost::json::value last_upload = nullptr;
  if (s.last_upload_us != 0) {
    last_upload = {{"at", iso8601_micros(s.last_upload_us)}, {"rows", s.last_upload_rows}};
  }
  return {{"products", std::move(products)},
          {"product_count", s.product_count},
          {"products_truncated", s.product_count > s.products.size()},
          {"rows", s.rows},
          {"first_date", date_or_null(s.first)},
          {"last_date", date_or_null(s.last)},
          {"last_upload", std::move(last_upload)}};
}

}  // namespace

Response TrainingApi::read_sales(const Request& req, const RouteMatch& route) {
  authorize(req, route, false);
  const auto product = route.query.find("product");
  if (product == route.query.end()) {
    return common::http::json_response(
        Status::ok, summary_json(store_.sales_summary(route.tenant, kMaxSummaryProducts)));
  }
  if (product->second.empty()) {
    throw ApiError(Status::bad_request, "invalid_request",
                   "query parameter 'product' must not be empty (leave it out for the summary)");
  }
  const auto from = date_param(route, "from");
  const auto to = date_param(route, "to");
  if (from && to && *from > *to) {
    throw ApiError(Status::bad_request, "invalid_request", "'from' is after 'to'");
  }
  SalesRange range;
  if (from) range.from = *from;
  if (to) range.to = *to;
  const auto window = store_.load_sales(route.tenant, product->second, range, kMaxSalesDays);
  if (!window) {
    throw ApiError(Status::not_found, "product_not_found",
                   "no sales data for product '" + product->second + "'");
  }
  boost::json::array points;
  for (const auto& d : window->days) {
    points.push_back({{"date", forecast::format_iso_date(d.date)}, {"quantity", d.quantity}});
  }
  return common::http::json_response(Status::ok, {{"product", product->second},
                                                  {"from", date_or_null(from)},
                                                  {"to", date_or_null(to)},
                                                  {"points", std::move(points)},
                                                  {"truncated", window->truncated},
                                                  {"max_points", kMaxSalesDays}});
}

}  // namespace levain::training::api
