#include "cli/client/plan.hpp"

#include <boost/json/parse.hpp>
#include <cstdio>
#include <ostream>

#include "cli/client/endpoint.hpp"
#include "cli/client/http.hpp"
#include "cli/client/train_report.hpp"

namespace levain::cli {
namespace {

namespace http = boost::beast::http;
namespace json = boost::json;

constexpr std::chrono::seconds kTimeout{60};

// Sends the GET; nullopt (after saying why on `err`) when it did not answer 200.
std::optional<HttpResponse> get(const char* command, const std::string& url,
                                const std::string& ca_file, const std::string& target,
                                const std::string& token, bool csv, std::ostream& err,
                                int& exit_code) {
  std::string error;
  auto endpoint = parse_endpoint(url, &error);
  if (!endpoint) {
    err << "levain " << command << ": " << error << '\n';
    exit_code = 2;
    return std::nullopt;
  }
  endpoint->ca_file = ca_file;
  HttpResponse reply;
  try {
    reply = http_request(*endpoint, http::verb::get, target, "", "", token, kTimeout,
                         {{"Accept", csv ? "text/csv" : "application/json"}});
  } catch (const std::exception& e) {
    err << "levain " << command << ": " << e.what() << '\n';
    exit_code = 2;
    return std::nullopt;
  }
  if (reply.status != 200) {
    err << "levain " << command << ": " << describe_http_error(reply) << '\n';
    exit_code = 1;
    return std::nullopt;
  }
  return reply;
}

std::string fixed(const json::value& v, int decimals) {
  if (v.is_null()) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v.to_number<double>());
  return buf;
}

// Left-aligned text padded to `width` display columns (UTF-8 aware, no wide glyphs assumed).
std::string pad(std::string_view text, std::size_t width) {
  std::size_t columns = 0;
  for (const unsigned char c : text) columns += (c & 0xC0) != 0x80;
  std::string out(text);
  if (columns < width) out.append(width - columns, ' ');
  return out;
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n;") == std::string::npos) return text;
  std::string out = "\"";
  for (const char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + '"';
}

}  // namespace

int run_plan(const PlanOptions& o, std::ostream& out, std::ostream& err) {
  std::string target = tenant_path(o.tenant) + "/bake-plan?days=" + std::to_string(o.days);
  if (!o.date.empty()) target += "&date=" + percent_encode(o.date);
  int code = 0;
  const auto reply = get("plan", o.url, o.ca_file, target, o.token, o.csv, err, code);
  if (!reply) return code;
  if (o.csv) {
    out << reply->body << std::flush;
    return 0;
  }
  const auto body = json::parse(reply->body).as_object();
  const auto& plan = body.at("plan").as_array();
  std::size_t name_width = 7;
  for (const auto& l : plan) {
    name_width = std::max(name_width, l.at("product").as_string().size());
  }
  out << "Bake plan for " << body.at("date").as_string().c_str();
  if (o.days > 1) out << " (" << o.days << " days)";
  out << ", default unit cost " << fixed(body.at("default_economics").at("unit_cost_share"), 2)
      << " of the price\n\n";
  out << (o.days > 1 ? "date        " : "") << pad("product", name_width)
      << "  bake  median  sold   waste  lost   profit  level  version\n";
  for (const auto& item : plan) {
    const auto& l = item.as_object();
    if (o.days > 1) out << l.at("date").as_string().c_str() << "  ";
    char line[160];
    std::snprintf(
        line, sizeof line, "%5lld  %6s  %5s  %5s  %5s  %7s  %4.0f%%  %s",
        static_cast<long long>(l.at("quantity").to_number<std::int64_t>()),
        fixed(l.at("median"), 1).c_str(), fixed(l.at("expected_sold"), 1).c_str(),
        fixed(l.at("expected_waste"), 1).c_str(), fixed(l.at("expected_lost_sales"), 1).c_str(),
        fixed(l.at("expected_profit"), 2).c_str(), 100 * l.at("service_level").to_number<double>(),
        std::to_string(l.at("model_version").to_number<std::int64_t>()).c_str());
    out << pad(l.at("product").as_string(), name_width) << "  " << line << '\n';
  }
  for (const auto& s : body.at("skipped").as_array()) {
    out << "skipped " << s.at("product").as_string().c_str() << ": "
        << s.at("reason").as_string().c_str() << '\n';
  }
  out << std::flush;
  return 0;
}

int run_forecast(const ForecastOptions& o, std::ostream& out, std::ostream& err) {
  std::string target = tenant_path(o.tenant) + "/forecasts?days=" + std::to_string(o.days);
  if (!o.product.empty()) target += "&product=" + percent_encode(o.product);
  // One product's answer has no CSV form: ask for JSON and write the same columns.
  const bool server_csv = o.csv && o.product.empty();
  int code = 0;
  const auto reply = get("forecast", o.url, o.ca_file, target, o.token, server_csv, err, code);
  if (!reply) return code;
  if (server_csv) {
    out << reply->body << std::flush;
    return 0;
  }
  const auto body = json::parse(reply->body).as_object();
  json::array products;
  if (o.product.empty()) {
    products = body.at("products").as_array();
  } else {
    products.push_back(body);
  }
  if (o.csv) out << "product,model_version,date,yhat,yhat_lower,yhat_upper\n";
  for (const auto& item : products) {
    const auto& p = item.as_object();
    const std::string name(p.at("product").as_string());
    const auto version = p.at("model_version").to_number<std::int64_t>();
    if (!o.csv) {
      out << name << " (" << p.at("model").as_string().c_str() << ", version " << version << ")\n";
    }
    for (const auto& pt : p.at("points").as_array()) {
      const auto& q = pt.as_object();
      if (o.csv) {
        out << csv_field(name) << ',' << version << ',' << q.at("date").as_string().c_str() << ','
            << fixed(q.at("yhat"), 2) << ',' << fixed(q.at("yhat_lower"), 2) << ','
            << fixed(q.at("yhat_upper"), 2) << '\n';
      } else {
        out << "  " << q.at("date").as_string().c_str() << "  " << fixed(q.at("yhat"), 1)
            << "  (80%: " << fixed(q.at("yhat_lower"), 1) << " to " << fixed(q.at("yhat_upper"), 1)
            << ")\n";
      }
    }
  }
  out << std::flush;
  return 0;
}

}  // namespace levain::cli
