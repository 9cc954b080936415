// The REST handlers of the training service (DESIGN.md §2). Each validates its input, calls the
// store or the runner, and throws ApiError for anything the client can fix.
#include <boost/json/parse.hpp>
#include <charconv>

#include "forecast/csv.hpp"
#include "forecast/dates.hpp"
#include "forecast/holidays.hpp"
#include "training/api/training_api.hpp"
#include "training/jobs/job_json.hpp"

namespace levain::training::api {

using common::http::ApiError;
using common::http::Request;
using common::http::Response;
using common::http::Status;

int int_param(const RouteMatch& route, const std::string& name, int fallback, int lo, int hi) {
  const auto it = route.query.find(name);
  if (it == route.query.end()) return fallback;
  int v = 0;
  const auto* end = it->second.data() + it->second.size();
  const auto [ptr, ec] = std::from_chars(it->second.data(), end, v);
  if (ec != std::errc{} || ptr != end || v < lo || v > hi) {
    throw ApiError(Status::bad_request, "invalid_request",
                   "query parameter '" + name + "' must be an integer from " + std::to_string(lo) +
                       " to " + std::to_string(hi));
  }
  return v;
}

namespace {

// `?date_format=` names the order of slash dates a spreadsheet wrote (README "CSV format").
forecast::DateFormat date_format_param(const RouteMatch& route) {
  const auto it = route.query.find("date_format");
  if (it == route.query.end()) return forecast::DateFormat::automatic;
  if (const auto format = forecast::parse_date_format(it->second)) return *format;
  throw ApiError(
      Status::bad_request, "invalid_request",
      "query parameter 'date_format' must be one of " + std::string(forecast::kDateFormatChoices));
}

// A calendar holds a few dozen days a year; 20,000 rows is centuries of them.
constexpr forecast::CsvLimits kHolidayLimits{.max_rows = 20'000};

boost::json::object rejection_body(std::size_t accepted, std::size_t rejected_total,
                                   const std::vector<forecast::CsvRejection>& rejected) {
  boost::json::array errors;
  for (const auto& r : rejected) errors.push_back({{"line", r.line}, {"reason", r.reason}});
  return {{"accepted", accepted},
          {"rejected", rejected_total},
          {"errors", std::move(errors)},
          {"errors_truncated", rejected_total > rejected.size()}};
}

}  // namespace

Response TrainingApi::upload_sales(const Request& req, const RouteMatch& route) {
  authorize(req, route, /*needs_trainer=*/true);
  const auto parsed = forecast::parse_sales_csv(req.body(), {}, date_format_param(route));
  if (!parsed.fatal_error.empty()) {
    throw ApiError(Status::bad_request, "invalid_csv", parsed.fatal_error);
  }
  auto body = rejection_body(parsed.rows.size(), parsed.rejected_total, parsed.rejected);
  body["inserted"] = 0;
  body["updated"] = 0;
  if (parsed.rows.empty()) {
    throw ApiError(Status::unprocessable_entity, "invalid_csv",
                   "every row was rejected; nothing was stored", std::move(body));
  }
  UpsertResult result;
  try {
    result = store_.upsert_sales(route.tenant, parsed.regressor_names, parsed.rows,
                                 {parsed.negative_quantity, parsed.unknown_quantity});
  } catch (const std::invalid_argument& e) {
    // The store refused the batch as a whole (it is all or nothing): nothing was written.
    throw ApiError(Status::unprocessable_entity, "invalid_csv",
                   std::string(e.what()) + "; nothing was stored");
  }
  body["inserted"] = result.inserted;
  body["updated"] = result.updated;
  return common::http::json_response(Status::ok, body);
}

Response TrainingApi::start_job(const Request& req, const RouteMatch& route) {
  authorize(req, route, /*needs_trainer=*/true);
  std::vector<std::string> products;
  int horizon = 14;
  bool allow_concurrent = false;
  if (!req.body().empty()) {
    boost::system::error_code ec;
    const auto v = boost::json::parse(req.body(), ec);
    if (ec)
      throw ApiError(Status::bad_request, "invalid_json", "body is not JSON: " + ec.message());
    if (!v.is_object())
      throw ApiError(Status::bad_request, "invalid_request", "body must be a JSON object");
    const auto& o = v.get_object();
    if (const auto* p = o.if_contains("products"); p && !p->is_null()) {
      if (!p->is_array())
        throw ApiError(Status::bad_request, "invalid_request",
                       "'products' must be an array of names");
      for (const auto& name : p->get_array()) {
        if (!name.is_string() || name.get_string().empty()) {
          throw ApiError(Status::bad_request, "invalid_request",
                         "'products' must hold non-empty strings");
        }
        products.emplace_back(name.get_string());
      }
    }
    if (const auto* a = o.if_contains("allow_concurrent"); a && !a->is_null()) {
      if (!a->is_bool())
        throw ApiError(Status::bad_request, "invalid_request",
                       "'allow_concurrent' must be a boolean");
      allow_concurrent = a->get_bool();
    }
    if (const auto* h = o.if_contains("horizon_days"); h && !h->is_null()) {
      if (!h->is_int64() || h->get_int64() < 1 || h->get_int64() > config_.max_horizon_days) {
        throw ApiError(Status::bad_request, "invalid_request",
                       "'horizon_days' must be an integer from 1 to " +
                           std::to_string(config_.max_horizon_days));
      }
      horizon = static_cast<int>(h->get_int64());
    }
  }
  std::sort(products.begin(), products.end());
  products.erase(std::unique(products.begin(), products.end()), products.end());
  const auto known = store_.list_products(route.tenant);
  if (known.empty()) {
    throw ApiError(Status::unprocessable_entity, "no_sales_data",
                   "no sales data for this bakery: upload a CSV first");
  }
  for (const auto& p : products) {
    if (!std::binary_search(known.begin(), known.end(), p)) {
      throw ApiError(Status::unprocessable_entity, "unknown_product",
                     "no sales data for product '" + p + "'");
    }
  }
  const auto count = products.empty() ? known.size() : products.size();
  if (count > static_cast<std::size_t>(config_.max_products_per_job)) {
    throw ApiError(Status::unprocessable_entity, "too_many_products",
                   "a job may train at most " + std::to_string(config_.max_products_per_job) +
                       " products; this one has " + std::to_string(count));
  }
  // One start at a time per process, so two clicks on this replica cannot both pass the check;
  // across replicas two starts in the same instant still may (the store has no tenant lock).
  std::lock_guard lock(start_mutex_);
  if (!allow_concurrent) {
    if (const auto active = store_.active_job(route.tenant)) {
      throw ApiError(Status::conflict, "job_running",
                     "a training job of this bakery is already " +
                         std::string(to_string(active->second)) +
                         ": watch it, or cancel it before starting another",
                     {{"job_id", active->first}, {"status", to_string(active->second)}});
    }
  }
  const auto job = runner_.submit(route.tenant, std::move(products), horizon);
  return common::http::json_response(
      Status::accepted,
      {{"job_id", job.job_id},
       {"status", to_string(job.status)},
       {"live_url", "/api/v1/tenants/" + route.tenant + "/training/jobs/" + job.job_id + "/live"}});
}

Response TrainingApi::list_jobs(const Request& req, const RouteMatch& route) {
  authorize(req, route, false);
  const auto limit = int_param(route, "limit", 50, 1, 500);
  boost::json::array jobs;
  for (const auto& j : store_.list_jobs(route.tenant, static_cast<std::size_t>(limit))) {
    jobs.push_back(to_json(j));
  }
  return common::http::json_response(Status::ok, {{"jobs", std::move(jobs)}});
}

Response TrainingApi::get_job(const Request& req, const RouteMatch& route) {
  authorize(req, route, false);
  const auto job = store_.get_job(route.tenant, route.job_id);
  if (!job) throw ApiError(Status::not_found, "job_not_found", "no such job for this tenant");
  auto body = to_json(*job);
  body["watchers"] = live_.manager.watchers(job->job_id);
  return common::http::json_response(Status::ok, body);
}

Response TrainingApi::cancel_job(const Request& req, const RouteMatch& route) {
  authorize(req, route, true);
  switch (runner_.cancel(route.tenant, route.job_id)) {
    case CancelOutcome::not_found:
      throw ApiError(Status::not_found, "job_not_found", "no such job for this tenant");
    case CancelOutcome::already_finished:
      throw ApiError(Status::conflict, "job_finished", "the job has already ended");
    case CancelOutcome::accepted:
      break;
  }
  const auto job = store_.get_job(route.tenant, route.job_id);
  if (!job) throw ApiError(Status::not_found, "job_not_found", "no such job for this tenant");
  return common::http::json_response(Status::accepted, to_json(*job));
}

Response TrainingApi::forecasts(const Request& req, const RouteMatch& route) {
  authorize(req, route, false);
  const auto product = route.query.find("product");
  if (product == route.query.end() || product->second.empty()) {
    throw ApiError(Status::bad_request, "invalid_request", "query parameter 'product' is required");
  }
  const auto model = store_.get_model(route.tenant, product->second);
  if (!model) {
    throw ApiError(Status::not_found, "model_not_found",
                   "no trained model for product '" + product->second + "'");
  }
  const auto& points = model->report.forecast;
  const auto days = int_param(route, "days", static_cast<int>(points.size()), 1,
                              std::max(1, static_cast<int>(points.size())));
  boost::json::array out;
  for (std::size_t i = 0; i < points.size() && i < static_cast<std::size_t>(days); ++i) {
    out.push_back({{"date", forecast::format_iso_date(points[i].date)},
                   {"yhat", points[i].yhat},
                   {"yhat_lower", points[i].lower},
                   {"yhat_upper", points[i].upper}});
  }
  return common::http::json_response(Status::ok, {{"product", product->second},
                                                  {"model", model->report.model},
                                                  {"fallback", model->report.fallback},
                                                  {"job_id", model->job_id},
                                                  {"metrics", to_json(model->report.holdout)},
                                                  {"points", std::move(out)}});
}

Response TrainingApi::models(const Request& req, const RouteMatch& route) {
  authorize(req, route, false);
  boost::json::array out;
  for (const auto& m : store_.list_models(route.tenant)) out.push_back(to_json(m));
  return common::http::json_response(Status::ok, {{"models", std::move(out)}});
}

Response TrainingApi::put_holidays(const Request& req, const RouteMatch& route) {
  authorize(req, route, /*needs_trainer=*/true);
  const auto parsed =
      forecast::parse_holiday_csv(req.body(), kHolidayLimits, date_format_param(route));
  if (!parsed.fatal_error.empty()) {
    throw ApiError(Status::bad_request, "invalid_csv", parsed.fatal_error);
  }
  auto body = rejection_body(parsed.accepted, parsed.rejected_total, parsed.rejected);
  if (parsed.accepted == 0) {
    throw ApiError(Status::unprocessable_entity, "invalid_csv",
                   "every row was rejected; the calendar was not changed", std::move(body));
  }
  std::vector<HolidayRow> rows;
  for (auto& h : parsed.calendar.entries()) rows.push_back({h.date, std::move(h.name)});
  store_.replace_holidays(route.tenant, rows);
  body["stored"] = rows.size();  // distinct (date, holiday) pairs
  return common::http::json_response(Status::ok, body);
}

Response TrainingApi::get_holidays(const Request& req, const RouteMatch& route) {
  authorize(req, route, false);
  boost::json::array out;
  for (const auto& h : store_.load_holidays(route.tenant)) {
    out.push_back({{"date", forecast::format_iso_date(h.date)}, {"holiday", h.name}});
  }
  return common::http::json_response(
      Status::ok, {{"holidays", std::move(out)},
                   {"builtin", "Spain's national holidays are always added to this calendar"}});
}

}  // namespace levain::training::api
