// The REST handlers of the training service (DESIGN.md §2). Each validates its input, calls the
// store or the runner, and throws ApiError for anything the client can fix.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <charconv>
#include <cstdio>

#include "common/timestamp.hpp"
#include "forecast/csv.hpp"
#include "forecast/csv_reader.hpp"
#include "forecast/dates.hpp"
#include "forecast/holidays.hpp"
#include "forecast/quantile.hpp"
#include "training/api/rest_util.hpp"
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

}  // namespace

boost::json::object rejection_body(std::size_t accepted, std::size_t rejected_total,
                                   const std::vector<forecast::CsvRejection>& rejected) {
  boost::json::array errors;
  for (const auto& r : rejected) errors.push_back({{"line", r.line}, {"reason", r.reason}});
  return {{"accepted", accepted},
          {"rejected", rejected_total},
          {"errors", std::move(errors)},
          {"errors_truncated", rejected_total > rejected.size()}};
}

bool wants_csv(const Request& req) {
  return req[boost::beast::http::field::accept].find("text/csv") != std::string_view::npos;
}

Response csv_response(std::string body, const std::string& filename) {
  auto res = common::http::text_response(Status::ok, std::move(body), "text/csv; charset=utf-8");
  res.set(boost::beast::http::field::content_disposition,
          "attachment; filename=\"" + filename + "\"");
  return res;
}

Response TrainingApi::upload_sales(const Request& req, const RouteMatch& route) {
  authorize(req, route, /*needs_trainer=*/true);
  const std::int64_t now = common::wall_clock_us();
  const auto bytes = static_cast<std::int64_t>(req.body().size());
  if (config_.quotas.any()) {
    enforce(check_upload(config_.quotas.for_tenant(route.tenant),
                         store_.tenant_usage(route.tenant, now, now - kDayUs), bytes, now));
  }
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
  store_.record_upload_bytes(route.tenant, now, bytes);
  // The new days may be ones the served models forecast: say how many products drifted. The
  // sales are stored by now, so a failure here must not turn the upload into an error.
  try {
    body["drifted_products"] = accuracy_report(route.tenant).drifted.size();
  } catch (const std::exception& e) {
    spdlog::warn("tenant {}: accuracy after an upload failed: {}", route.tenant, e.what());
  }
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
    if (const auto* p = o.if_contains("products");
        p && p->is_string() && p->get_string() == "drifted") {
      products = accuracy_report(route.tenant).drifted;
      if (products.empty()) {
        throw ApiError(Status::unprocessable_entity, "no_drifted_products",
                       "no product has drifted: GET …/accuracy compares each product's recent "
                       "error with its hold-out error");
      }
    } else if (p && !p->is_null()) {
      if (!p->is_array())
        throw ApiError(Status::bad_request, "invalid_request",
                       "'products' must be an array of names, or \"drifted\"");
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
  if (config_.quotas.any()) {
    const std::int64_t now = common::wall_clock_us();
    enforce(check_job_start(config_.quotas.for_tenant(route.tenant),
                            store_.tenant_usage(route.tenant, now - kHourUs, now), now));
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

namespace {

constexpr std::size_t kMaxQuantiles = 9;

// `?quantiles=0.5,0.8,0.95`: each level in (0, 1), at most 9, kept as the client wrote them
// (they are the keys of the answer's objects), sorted by level.
std::vector<std::pair<std::string, double>> quantile_levels(const RouteMatch& route) {
  std::vector<std::pair<std::string, double>> out;
  const auto it = route.query.find("quantiles");
  if (it == route.query.end()) return out;
  const auto bad = [](const std::string& why) {
    return ApiError(Status::bad_request, "invalid_request", "query parameter 'quantiles' " + why);
  };
  std::string_view rest = it->second;
  while (true) {
    const auto comma = rest.find(',');
    const std::string text(rest.substr(0, comma));
    double level = 0;
    if (!forecast::parse_number(text, level).empty() || !(level > 0 && level < 1)) {
      throw bad("must list levels between 0 and 1 (exclusive), e.g. 0.5,0.8,0.95; '" + text +
                "' is not one");
    }
    out.emplace_back(text, level);
    if (out.size() > kMaxQuantiles) throw bad("lists more than 9 levels");
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.second < b.second; });
  for (std::size_t i = 1; i < out.size(); ++i) {
    if (out[i].second == out[i - 1].second) throw bad("lists the level " + out[i].first + " twice");
  }
  return out;
}

// explain=1: each part under its kind, holidays and regressors by name; they add up to yhat.
boost::json::object components_json(const forecast::FitReport& report,
                                    const forecast::ForecastPoint& p) {
  boost::json::object out;
  boost::json::object holidays;
  boost::json::object regressors;
  for (std::size_t i = 0; i < p.parts.size() && i < report.component_names.size(); ++i) {
    const std::string_view name = report.component_names[i];
    if (name.starts_with("holiday:")) {
      // Only the holidays of the day: the others add 0 to every day but their own.
      if (p.parts[i] != 0) holidays[name.substr(8)] = p.parts[i];
    } else if (name.starts_with("regressor:")) {
      regressors[name.substr(10)] = p.parts[i];
    } else if (name != "clamp" || p.parts[i] != 0) {
      out[name] = p.parts[i];
    }
  }
  out["holidays"] = std::move(holidays);
  out["regressors"] = std::move(regressors);
  return out;
}

boost::json::array points_json(const StoredModel& model, std::size_t days,
                               const std::vector<std::pair<std::string, double>>& levels,
                               bool explain) {
  const auto& points = model.report.forecast;
  boost::json::array out;
  for (std::size_t i = 0; i < points.size() && i < days; ++i) {
    const auto& p = points[i];
    boost::json::object o{{"date", forecast::format_iso_date(p.date)},
                          {"yhat", p.yhat},
                          {"yhat_lower", p.lower},
                          {"yhat_upper", p.upper}};
    if (!levels.empty()) {
      boost::json::object q;
      for (const auto& [key, level] : levels) {
        q[key] = forecast::forecast_quantile(model.report, p, level);
      }
      o["quantiles"] = std::move(q);
    }
    if (explain) o["components"] = components_json(model.report, p);
    out.push_back(std::move(o));
  }
  return out;
}

bool explain_param(const RouteMatch& route) {
  const auto it = route.query.find("explain");
  if (it == route.query.end() || it->second == "0" || it->second == "false") return false;
  if (it->second == "1" || it->second == "true") return true;
  throw ApiError(Status::bad_request, "invalid_request",
                 "query parameter 'explain' must be 1 or 0");
}

}  // namespace

std::string two_decimals(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

Response TrainingApi::forecasts(const Request& req, const RouteMatch& route) {
  authorize(req, route, false);
  const auto product = route.query.find("product");
  if (product == route.query.end()) return all_forecasts(req, route);
  if (product->second.empty()) {
    throw ApiError(Status::bad_request, "invalid_request",
                   "query parameter 'product' is empty (leave it out for every product)");
  }
  const auto levels = quantile_levels(route);
  const bool explain = explain_param(route);
  const auto model = store_.get_model(route.tenant, product->second);
  if (!model) {
    throw ApiError(Status::not_found, "model_not_found",
                   "no trained model for product '" + product->second + "'");
  }
  const auto& points = model->report.forecast;
  const auto days = int_param(route, "days", static_cast<int>(points.size()), 1,
                              std::max(1, static_cast<int>(points.size())));
  return common::http::json_response(
      Status::ok,
      {{"product", product->second},
       {"model", model->report.model},
       {"model_version", model->version},
       {"fallback", model->report.fallback},
       {"job_id", model->job_id},
       {"metrics", to_json(model->report.holdout)},
       {"points", points_json(*model, static_cast<std::size_t>(days), levels, explain)}});
}

// Every product at once (a spreadsheet's export): `days` caps each product's horizon.
Response TrainingApi::all_forecasts(const Request& req, const RouteMatch& route) {
  const auto levels = quantile_levels(route);
  const int days = int_param(route, "days", config_.max_horizon_days, 1, config_.max_horizon_days);
  const auto models = store_.list_models(route.tenant);
  if (wants_csv(req)) {
    std::string out = "product,model_version,date,yhat,yhat_lower,yhat_upper";
    for (const auto& [key, level] : levels) out += ",q" + key;
    out += '\n';
    for (const auto& m : models) {
      const auto& points = m.report.forecast;
      for (std::size_t i = 0; i < points.size() && i < static_cast<std::size_t>(days); ++i) {
        const auto& p = points[i];
        forecast::append_csv_field(out, m.product);
        out += ',' + std::to_string(m.version) + ',' + forecast::format_iso_date(p.date) + ',' +
               two_decimals(p.yhat) + ',' + two_decimals(p.lower) + ',' + two_decimals(p.upper);
        for (const auto& [key, level] : levels) {
          out += ',' + two_decimals(forecast::forecast_quantile(m.report, p, level));
        }
        out += '\n';
      }
    }
    return csv_response(std::move(out), "forecasts-" + route.tenant + ".csv");
  }
  boost::json::array products;
  for (const auto& m : models) {
    products.push_back({{"product", m.product},
                        {"model", m.report.model},
                        {"model_version", m.version},
                        {"fallback", m.report.fallback},
                        {"job_id", m.job_id},
                        {"points", points_json(m, static_cast<std::size_t>(days), levels, false)}});
  }
  return common::http::json_response(Status::ok, {{"products", std::move(products)}});
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
