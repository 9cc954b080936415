#include "loadgen/job_api.hpp"

#include <boost/json/parse.hpp>
#include <sstream>
#include <stdexcept>

#include "cli/client/http.hpp"
#include "cli/client/train_report.hpp"
#include "forecast/demo_data.hpp"

namespace levain::loadgen {
namespace {

namespace http = boost::beast::http;
namespace json = boost::json;

constexpr std::chrono::seconds kUploadTimeout{600};
constexpr std::chrono::seconds kRequestTimeout{60};

std::optional<json::object> object_body(const cli::HttpResponse& response) {
  boost::system::error_code ec;
  auto value = json::parse(response.body, ec);
  if (ec || !value.is_object()) return std::nullopt;
  return std::move(value.get_object());
}

}  // namespace

JobApi::JobApi(cli::Endpoint endpoint, std::string tenant, std::string token)
    : endpoint_(std::move(endpoint)), tenant_(std::move(tenant)), token_(std::move(token)) {}

std::string JobApi::jobs_path() const { return cli::tenant_path(tenant_) + "/training/jobs"; }

std::int64_t JobApi::upload_demo(int products, int days) const {
  forecast::DemoDataOptions options;
  options.products = products;
  options.days = days;
  std::ostringstream csv;
  forecast::write_demo_csv(csv, options);
  const auto response =
      cli::http_request(endpoint_, http::verb::post, cli::tenant_path(tenant_) + "/sales",
                        std::move(csv).str(), "text/csv", token_, kUploadTimeout);
  if (response.status != 200) {
    throw std::runtime_error("uploading demo sales failed: " + cli::describe_http_error(response));
  }
  const auto body = object_body(response);
  const json::value* accepted = body ? body->if_contains("accepted") : nullptr;
  boost::system::error_code ec;
  const auto rows = accepted ? accepted->to_number<std::int64_t>(ec) : 0;
  return ec ? 0 : rows;
}

std::string JobApi::start_job() const {
  // A load generator starts job after job for one bakery (a warm-up, then the measured run).
  const auto response =
      cli::http_request(endpoint_, http::verb::post, jobs_path(), R"({"allow_concurrent":true})",
                        "application/json", token_, kRequestTimeout);
  if (response.status != 202 && response.status != 200) {
    throw std::runtime_error("starting a job failed: " + cli::describe_http_error(response));
  }
  const auto body = object_body(response);
  const json::value* id = body ? body->if_contains("job_id") : nullptr;
  if (id == nullptr || !id->is_string() || id->get_string().empty()) {
    throw std::runtime_error("the server started a job but its reply has no job_id: " +
                             response.body.substr(0, 200));
  }
  return std::string(id->get_string());
}

void JobApi::cancel(const std::string& job_id) const {
  const auto response = cli::http_request(
      endpoint_, http::verb::post, jobs_path() + "/" + cli::percent_encode(job_id) + "/cancel", "",
      "", token_, kRequestTimeout);
  // 409: it ended on its own first, which is just as good for a gate.
  if (response.status / 100 != 2 && response.status != 409) {
    throw std::runtime_error("cancelling job " + job_id +
                             " failed: " + cli::describe_http_error(response));
  }
}

std::optional<JobView> JobApi::read(const std::string& job_id, std::string* error) const {
  try {
    const auto response = cli::http_request(endpoint_, http::verb::get,
                                            jobs_path() + "/" + cli::percent_encode(job_id), "", "",
                                            token_, kRequestTimeout);
    const auto body = response.status == 200 ? object_body(response) : std::nullopt;
    const json::value* status = body ? body->if_contains("status") : nullptr;
    const json::value* seq = body ? body->if_contains("seq") : nullptr;
    if (status == nullptr || !status->is_string() || seq == nullptr || !seq->is_number()) {
      if (error) *error = "reading job " + job_id + ": " + cli::describe_http_error(response);
      return std::nullopt;
    }
    JobView view;
    view.status = std::string(status->get_string());
    boost::system::error_code ec;
    view.seq = seq->to_number<std::uint64_t>(ec);
    if (ec) view.seq = 0;
    return view;
  } catch (const std::exception& e) {
    if (error) *error = e.what();
    return std::nullopt;
  }
}

std::string JobApi::live_target(const std::string& job_id) const {
  return endpoint_.base_path + jobs_path() + "/" + cli::percent_encode(job_id) +
         "/live?token=" + cli::percent_encode(token_);
}

}  // namespace levain::loadgen
