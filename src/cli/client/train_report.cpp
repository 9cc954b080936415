#include "cli/client/train_report.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace levain::cli {
namespace {

namespace json = boost::json;

json::object parse_object(const std::string& body) {
  boost::system::error_code ec;
  json::value value = json::parse(body, ec);
  if (ec || !value.is_object()) return {};
  return std::move(value.get_object());
}

std::string text_of(const json::value* value) {
  if (value == nullptr || value->is_null()) return "";
  if (value->is_string()) return std::string(value->get_string());
  return json::serialize(*value);
}

}  // namespace

std::string describe_http_error(const HttpResponse& response) {
  std::string out = "HTTP " + std::to_string(response.status);
  const json::object body = parse_object(response.body);
  const json::value* error = body.if_contains("error");
  if (error != nullptr && error->is_object()) {
    const std::string code = text_of(error->get_object().if_contains("code"));
    const std::string message = text_of(error->get_object().if_contains("message"));
    if (!code.empty()) out += " " + code;
    if (!message.empty()) out += ": " + message;
    return out;
  }
  if (!response.body.empty()) {
    constexpr std::size_t kShown = 300;
    out += ": " + response.body.substr(0, kShown);
    if (response.body.size() > kShown) out += "...";
  }
  return out;
}

int report_upload(const HttpResponse& response, std::ostream& out, std::ostream& err, bool strict) {
  const json::object body = parse_object(response.body);
  const bool has_counts = body.contains("accepted") && body.contains("rejected");
  std::int64_t rejected_count = 0;
  if (has_counts && (response.status == 200 || response.status == 422)) {
    out << "uploaded: " << text_of(body.if_contains("accepted")) << " accepted, "
        << text_of(body.if_contains("rejected")) << " rejected\n";
    std::int64_t listed = 0;
    if (const json::value* errors = body.if_contains("errors"); errors && errors->is_array()) {
      for (const json::value& row : errors->get_array()) {
        if (listed == static_cast<std::int64_t>(kMaxRejectedRowsShown)) break;
        if (!row.is_object()) continue;
        out << "  line " << text_of(row.get_object().if_contains("line")) << ": "
            << text_of(row.get_object().if_contains("reason")) << '\n';
        ++listed;
      }
    }
    const json::value& rejected = body.at("rejected");
    rejected_count = rejected.is_int64() ? rejected.get_int64() : 0;
    if (rejected_count > listed) {
      out << "  ... and " << rejected_count - listed << " more rejected row(s)\n";
    }
  }
  if (response.status == 200 && strict && rejected_count > 0) {
    err << "levain train: --strict: the server rejected " << rejected_count
        << " row(s) (listed above; the accepted rows are stored): fix them and upload again, or "
           "drop --strict\n";
    return 1;
  }
  if (response.status == 200) return 0;
  err << "levain train: upload failed: " << describe_http_error(response) << '\n';
  return 1;
}

}  // namespace levain::cli
