#include "training/store/json_columns.hpp"

#include <boost/json.hpp>
#include <cmath>
#include <stdexcept>

#include "common/json_text.hpp"

namespace levain::training::json_columns {
namespace {

namespace json = boost::json;

// JSON has no NaN or infinity; both occur in metrics (undefined MAPE, MASE over a zero scale).
json::value number(double x) {
  if (std::isnan(x)) return nullptr;
  if (std::isinf(x)) return json::string(x > 0 ? "inf" : "-inf");
  return x;
}

double number(const json::value& v) {
  if (v.is_null()) return forecast::kNaN;
  if (v.is_string()) {
    if (v.get_string() == "inf") return HUGE_VAL;
    if (v.get_string() == "-inf") return -HUGE_VAL;
    throw std::runtime_error("expected a number, got \"" + std::string(v.get_string()) + "\"");
  }
  return v.to_number<double>();
}

json::value accuracy(const forecast::Accuracy& a) {
  return json::object{{"mae", number(a.mae)},
                      {"rmse", number(a.rmse)},
                      {"mape", number(a.mape)},
                      {"smape", number(a.smape)},
                      {"mase", number(a.mase)}};
}

forecast::Accuracy accuracy(const json::value& v) {
  const auto& o = v.as_object();
  return {number(o.at("mae")), number(o.at("rmse")), number(o.at("mape")), number(o.at("smape")),
          number(o.at("mase"))};
}

json::value parse(std::string_view text, const char* what) {
  try {
    return json::parse(text);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("stored ") + what + " is not valid JSON: " + e.what());
  }
}

// Boost.JSON reports a wrong shape with several exception types; callers see one.
template <class F>
auto decoding(const char* what, F&& f) {
  try {
    return f();
  } catch (const std::runtime_error&) {
    throw;
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("stored ") + what +
                             " has an unexpected shape: " + e.what());
  }
}

json::array encode_string_array(const std::vector<std::string>& items) {
  json::array a;
  for (const auto& s : items) a.emplace_back(s);
  return a;
}

}  // namespace

std::string encode_regressors(const std::vector<std::string>& names,
                              const std::vector<double>& values) {
  if (names.empty()) return "{}";
  json::object o;
  for (std::size_t i = 0; i < names.size(); ++i) o[names[i]] = number(values[i]);
  return common::to_json_text(o);
}

std::vector<NamedValue> decode_regressor_list(std::string_view text) {
  const json::value v = parse(text, "regressors");
  return decoding("regressors", [&] {
    std::vector<NamedValue> out;
    for (const auto& [name, value] : v.as_object()) {
      out.push_back({std::string(name), number(value)});
    }
    return out;
  });
}

std::string encode_strings(const std::vector<std::string>& items) {
  return common::to_json_text(encode_string_array(items));
}

std::vector<std::string> decode_strings(std::string_view text) {
  const json::value v = parse(text, "string list");
  return decoding("string list", [&] {
    std::vector<std::string> out;
    for (const auto& item : v.as_array()) out.emplace_back(item.as_string());
    return out;
  });
}

// The wire's writer, so a job read back holds the numbers its events carried, kind for kind.
std::string encode_object(const json::object& object) {
  return object.empty() ? std::string("{}") : common::to_json_text(object);
}

json::object decode_object(std::string_view text) {
  if (text == "{}") return {};
  const json::value v = parse(text, "object");
  return decoding("object", [&] { return v.as_object(); });
}

// A forecast day is one flat array, [day, yhat, lower, upper, z, sigma, parts...] (parts in the
// order of "components"); a report stored before z, sigma and the parts existed has the first
// four only.
std::string encode_report(const forecast::FitReport& r) {
  json::array points;
  points.reserve(r.forecast.size());
  for (const auto& p : r.forecast) {
    json::array point{p.date.time_since_epoch().count(),
                      number(p.yhat),
                      number(p.lower),
                      number(p.upper),
                      number(p.z),
                      number(p.sigma)};
    for (const double part : p.parts) point.push_back(number(part));
    points.push_back(std::move(point));
  }
  return common::to_json_text(json::object{{"model", r.model},
                                           {"fallback", r.fallback},
                                           {"fallback_reason", r.fallback_reason},
                                           {"holdout", accuracy(r.holdout)},
                                           {"naive_holdout", accuracy(r.naive_holdout)},
                                           {"fit_ms", number(r.fit_ms)},
                                           {"log_scale", r.log_scale},
                                           {"offset", number(r.offset)},
                                           {"cap", number(r.cap)},
                                           {"components", encode_string_array(r.component_names)},
                                           {"forecast", std::move(points)}});
}

forecast::FitReport decode_report(std::string_view text) {
  const json::value v = parse(text, "model report");
  return decoding("model report", [&] {
    const auto& o = v.as_object();
    forecast::FitReport r;
    r.model = o.at("model").as_string();
    r.fallback = o.at("fallback").as_bool();
    r.fallback_reason = o.at("fallback_reason").as_string();
    r.holdout = accuracy(o.at("holdout"));
    r.naive_holdout = accuracy(o.at("naive_holdout"));
    r.fit_ms = number(o.at("fit_ms"));
    if (const auto* v = o.if_contains("log_scale")) r.log_scale = v->as_bool();
    if (const auto* v = o.if_contains("offset")) r.offset = number(*v);
    if (const auto* v = o.if_contains("cap")) r.cap = number(*v);
    if (const auto* v = o.if_contains("components")) {
      for (const auto& name : v->as_array()) r.component_names.emplace_back(name.as_string());
    }
    for (const auto& item : o.at("forecast").as_array()) {
      const auto& p = item.as_array();
      forecast::ForecastPoint point{
          .date = forecast::Date{std::chrono::days{p.at(0).to_number<std::int64_t>()}},
          .yhat = number(p.at(1)),
          .lower = number(p.at(2)),
          .upper = number(p.at(3)),
          .parts = {}};
      if (p.size() >= 6) {
        point.z = number(p.at(4));
        point.sigma = number(p.at(5));
        for (std::size_t i = 6; i < p.size(); ++i) point.parts.push_back(number(p.at(i)));
      }
      r.forecast.push_back(std::move(point));
    }
    return r;
  });
}

}  // namespace levain::training::json_columns
