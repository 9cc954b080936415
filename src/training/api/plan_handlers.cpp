// The bake plan's routes (README "The bake plan"): the products' economics, the plan itself
// in JSON or CSV, and the kept versions of each model with rollback.
#include <boost/json/parse.hpp>
#include <cmath>

#include "forecast/dates.hpp"
#include "forecast/products_csv.hpp"
#include "training/api/bake_plan.hpp"
#include "training/api/rest_util.hpp"
#include "training/api/training_api.hpp"
#include "training/jobs/job_json.hpp"

namespace levain::training::api {

using common::http::ApiError;
using common::http::Request;
using common::http::Response;
using common::http::Status;

namespace {

// A bakery's range is tens of products; a chain's catalogue a few thousand.
constexpr forecast::CsvLimits kProductLimits{.max_rows = 20'000};
constexpr int kMaxPlanDays = 14;

boost::json::value null_or(bool known, double v) {
  return known ? boost::json::value(v) : boost::json::value(nullptr);
}

boost::json::object economics_json(const std::string& product, const forecast::Economics& e) {
  return {{"product", product},
          {"unit_cost", e.unit_cost},
          {"price", e.price},
          {"min_batch", e.min_batch},
          {"batch_size", e.batch_size}};
}

Response set_default_share(Store& store, const Request& req, const RouteMatch& route) {
  boost::system::error_code ec;
  const auto body = boost::json::parse(req.body(), ec);
  if (ec) throw ApiError(Status::bad_request, "invalid_json", "body is not JSON: " + ec.message());
  const auto* object = body.if_object();
  const auto* share = object ? object->if_contains("unit_cost_share") : nullptr;
  if (!share || !share->is_number() || object->size() != 1) {
    throw ApiError(Status::bad_request, "invalid_request",
                   "expected {\"unit_cost_share\": s} with s from 0 to 1, or a CSV body "
                   "product,unit_cost,price[,min_batch][,batch_size] with Content-Type text/csv");
  }
  const double s = share->to_number<double>();
  if (!(s >= 0 && s <= 1)) {
    throw ApiError(Status::bad_request, "invalid_request", "unit_cost_share must be from 0 to 1");
  }
  store.set_unit_cost_share(route.tenant, s);
  return common::http::json_response(Status::ok, {{"unit_cost_share", s}});
}

}  // namespace

Response TrainingApi::put_products(const Request& req, const RouteMatch& route) {
  authorize(req, route, /*needs_trainer=*/true);
  if (req[boost::beast::http::field::content_type].starts_with("application/json")) {
    return set_default_share(store_, req, route);
  }
  const auto parsed = forecast::parse_products_csv(req.body(), kProductLimits);
  if (!parsed.fatal_error.empty()) {
    throw ApiError(Status::bad_request, "invalid_csv", parsed.fatal_error);
  }
  auto body = rejection_body(parsed.accepted, parsed.rejected_total, parsed.rejected);
  if (parsed.rows.empty()) {
    throw ApiError(Status::unprocessable_entity, "invalid_csv",
                   "every row was rejected; the products were not changed", std::move(body));
  }
  std::vector<ProductEconomics> rows;
  for (const auto& r : parsed.rows) rows.push_back({r.product, r.economics});
  store_.replace_products(route.tenant, rows);
  body["stored"] = rows.size();
  return common::http::json_response(Status::ok, body);
}

Response TrainingApi::get_products(const Request& req, const RouteMatch& route) {
  authorize(req, route, false);
  boost::json::array out;
  for (const auto& p : store_.load_products(route.tenant)) {
    out.push_back(economics_json(p.product, p.economics));
  }
  return common::http::json_response(
      Status::ok, {{"products", std::move(out)},
                   {"default", {{"unit_cost_share", store_.unit_cost_share(route.tenant)}}}});
}

Response TrainingApi::bake_plan(const Request& req, const RouteMatch& route) {
  authorize(req, route, false);
  std::optional<forecast::Date> date;
  if (const auto it = route.query.find("date"); it != route.query.end()) {
    date = forecast::parse_iso_date(it->second);
    if (!date) {
      throw ApiError(Status::bad_request, "invalid_request",
                     "query parameter 'date' must be a date YYYY-MM-DD");
    }
  }
  const int days = int_param(route, "days", 1, 1, kMaxPlanDays);
  const auto models = store_.list_models(route.tenant);
  if (models.empty()) {
    throw ApiError(Status::not_found, "no_models",
                   "no trained model yet: upload sales and train before asking for a bake plan");
  }
  const double share = store_.unit_cost_share(route.tenant);
  const auto plan = make_bake_plan(models, store_.load_products(route.tenant), share, date, days);
  if (wants_csv(req)) {
    return csv_response(bake_plan_csv(plan),
                        "bake-plan-" + forecast::format_iso_date(plan.date) + ".csv");
  }
  boost::json::array lines;
  for (const auto& l : plan.lines) {
    const auto& d = l.decision;
    const bool own = !l.default_economics;
    lines.push_back({{"product", l.product},
                     {"date", forecast::format_iso_date(l.date)},
                     {"quantity", d.quantity},
                     {"service_level", d.service_level},
                     {"median", d.median},
                     {"expected_sold", d.expected_sold},
                     {"expected_waste", d.expected_waste},
                     {"expected_lost_sales", d.expected_lost_sales},
                     {"expected_profit", null_or(own, d.expected_profit)},
                     {"unit_cost", null_or(own, l.economics.unit_cost)},
                     {"price", null_or(own, l.economics.price)},
                     {"min_batch", l.economics.min_batch},
                     {"batch_size", l.economics.batch_size},
                     {"economics", own ? "product" : "default"},
                     {"model", l.model},
                     {"model_version", l.model_version}});
  }
  boost::json::array skipped;
  for (const auto& s : plan.skipped) {
    skipped.push_back({{"product", s.product}, {"reason", s.reason}});
  }
  return common::http::json_response(Status::ok,
                                     {{"date", forecast::format_iso_date(plan.date)},
                                      {"days", plan.days},
                                      {"default_economics", {{"unit_cost_share", share}}},
                                      {"plan", std::move(lines)},
                                      {"skipped", std::move(skipped)}});
}

Response TrainingApi::model_versions(const Request& req, const RouteMatch& route) {
  authorize(req, route, false);
  const auto versions = store_.list_model_versions(route.tenant, route.product);
  if (versions.empty()) {
    throw ApiError(Status::not_found, "model_not_found",
                   "no trained model for product '" + route.product + "'");
  }
  const auto served = store_.get_model(route.tenant, route.product);
  boost::json::array out;
  for (const auto& v : versions) {
    auto o = to_json(v);
    o["served"] = served && served->version == v.version;
    out.push_back(std::move(o));
  }
  return common::http::json_response(Status::ok, {{"product", route.product},
                                                  {"served_version", served ? served->version : 0},
                                                  {"versions", std::move(out)}});
}

Response TrainingApi::model_rollback(const Request& req, const RouteMatch& route) {
  authorize(req, route, /*needs_trainer=*/true);
  boost::system::error_code ec;
  const auto body = boost::json::parse(req.body(), ec);
  if (ec) throw ApiError(Status::bad_request, "invalid_json", "body is not JSON: " + ec.message());
  const auto* object = body.if_object();
  const auto* version = object ? object->if_contains("version") : nullptr;
  if (!version || !version->is_int64() || version->as_int64() < 1 ||
      version->as_int64() > 1'000'000'000) {
    throw ApiError(Status::bad_request, "invalid_request",
                   "expected {\"version\": n} with n a kept version (GET …/versions lists them)");
  }
  const int v = static_cast<int>(version->as_int64());
  if (!store_.rollback_model(route.tenant, route.product, v)) {
    throw ApiError(Status::not_found, "version_not_found",
                   "product '" + route.product + "' has no kept version " + std::to_string(v));
  }
  const auto served = store_.get_model(route.tenant, route.product);
  if (!served) throw ApiError(Status::not_found, "model_not_found", "the model is gone");
  return common::http::json_response(Status::ok, to_json(*served));
}

}  // namespace levain::training::api
