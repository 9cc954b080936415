#include "cli/client/train.hpp"

#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <thread>

#include "cli/client/endpoint.hpp"
#include "cli/client/http.hpp"
#include "cli/client/train_report.hpp"
#include "cli/client/watch.hpp"

namespace levain::cli {
namespace {

namespace json = boost::json;
namespace http = boost::beast::http;

// Generous: the upload is the whole history and the server parses it before answering.
constexpr std::chrono::seconds kUploadTimeout{600};
constexpr std::chrono::seconds kRequestTimeout{30};

std::optional<std::string> read_csv(const std::string& path, std::string& error) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (ec || !fs::exists(status)) {
    error = "cannot read CSV file '" + path + "': " + (ec ? ec.message() : "no such file");
    return std::nullopt;
  }
  if (!fs::is_regular_file(status)) {
    error = "cannot read CSV file '" + path + "': not a regular file";
    return std::nullopt;
  }
  const std::uintmax_t size = fs::file_size(path, ec);
  if (ec) {
    error = "cannot read CSV file '" + path + "': " + ec.message();
    return std::nullopt;
  }
  if (size > kMaxCsvBytes) {
    error = "CSV file '" + path + "' is " + std::to_string(size >> 20) +
            " MiB; the limit is 512 MiB (split it and upload the parts one after another)";
    return std::nullopt;
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    error = "cannot read CSV file '" + path + "': " + std::strerror(errno);
    return std::nullopt;
  }
  std::string content(static_cast<std::size_t>(size), '\0');
  file.read(content.data(), static_cast<std::streamsize>(size));
  if (static_cast<std::uintmax_t>(file.gcount()) != size) {
    error = "cannot read CSV file '" + path + "': short read";
    return std::nullopt;
  }
  if (content.empty()) {
    error = "CSV file '" + path + "' is empty (expected a header date,product,quantity and rows)";
    return std::nullopt;
  }
  return content;
}

std::string job_request_body(const TrainOptions& options) {
  json::object body;
  if (!options.products.empty()) {
    json::array products;
    for (const auto& product : options.products) products.emplace_back(product);
    body["products"] = std::move(products);
  }
  body["horizon_days"] = options.horizon_days;
  return json::serialize(body);
}

// Ctrl-C while `levain train` watches asks whether to cancel the job on the server or only to
// stop watching (the job goes on). SIGINT is blocked in every thread the watch starts and taken
// by sigwait here, so the question is asked on a thread that may block on the terminal.
class InterruptPrompt {
 public:
  InterruptPrompt(std::string job, std::function<void()> cancel, std::ostream& err)
      : job_(std::move(job)), cancel_(std::move(cancel)), err_(err) {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set_, &old_);
    thread_ = std::thread([this] { loop(); });
  }
  ~InterruptPrompt() {
    done_ = true;
    pthread_kill(thread_.native_handle(), SIGINT);
    thread_.join();
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  InterruptPrompt(const InterruptPrompt&) = delete;
  InterruptPrompt& operator=(const InterruptPrompt&) = delete;

 private:
  void loop() {
    for (;;) {
      int signal = 0;
      if (sigwait(&set_, &signal) != 0 || done_) return;
      err_ << "\nCancel job " << job_
           << " on the server? [y/N] (N: stop watching; the job goes on) " << std::flush;
      std::string answer;
      if (!std::getline(std::cin, answer)) answer.clear();
      if (answer == "y" || answer == "Y" || answer == "yes") {
        cancel_();  // the watch goes on and ends when the job does, as cancelled
        continue;
      }
      err_ << "stopped watching; the job goes on (levain watch --job " << job_ << " to follow it)\n"
           << std::flush;
      std::_Exit(130);
    }
  }

  std::string job_;
  std::function<void()> cancel_;
  std::ostream& err_;
  sigset_t set_{};
  sigset_t old_{};
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace

int run_cancel(const CancelOptions& options, std::ostream& out, std::ostream& err) {
  std::string error;
  auto endpoint = parse_endpoint(options.url, &error);
  if (!endpoint) {
    err << "levain cancel: " << error << '\n';
    return 2;
  }
  endpoint->ca_file = options.ca_file;
  HttpResponse reply;
  try {
    reply = http_request(*endpoint, http::verb::post,
                         tenant_path(options.tenant) + "/training/jobs/" + options.job + "/cancel",
                         "", "application/json", options.token, kRequestTimeout);
  } catch (const std::exception& e) {
    err << "levain cancel: " << e.what() << '\n';
    return 2;
  }
  if (reply.status != 202 && reply.status != 200) {
    err << "levain cancel: " << describe_http_error(reply) << '\n';
    return 1;
  }
  out << "job " << options.job << ": cancel accepted; it ends as cancelled\n" << std::flush;
  return 0;
}

int run_train(const TrainOptions& options, std::ostream& out, std::ostream& err) {
  std::string error;
  auto endpoint = parse_endpoint(options.url, &error);
  if (!endpoint) {
    err << "levain train: " << error << '\n';
    return 2;
  }
  endpoint->ca_file = options.ca_file;
  if (options.tenant.empty()) {
    err << "levain train: a tenant is required\n";
    return 1;
  }
  if (options.horizon_days < 1) {
    err << "levain train: the horizon must be at least 1 day (got " << options.horizon_days
        << ")\n";
    return 1;
  }
  auto csv = read_csv(options.csv_path, error);
  if (!csv) {
    err << "levain train: " << error << '\n';
    return 1;
  }

  const std::string tenant = tenant_path(options.tenant);
  HttpResponse upload;
  HttpResponse created;
  try {
    upload = http_request(*endpoint, http::verb::post, tenant + "/sales", std::move(*csv),
                          "text/csv", options.token, kUploadTimeout);
    if (int code = report_upload(upload, out, err, options.strict); code != 0) return code;
    if (options.upload_only) return 0;
    created =
        http_request(*endpoint, http::verb::post, tenant + "/training/jobs",
                     job_request_body(options), "application/json", options.token, kRequestTimeout);
  } catch (const std::exception& e) {
    err << "levain train: " << e.what() << '\n';
    return 2;
  }
  if (created.status != 202 && created.status != 200) {
    err << "levain train: starting the job failed: " << describe_http_error(created) << '\n';
    return 1;
  }

  boost::system::error_code ec;
  const json::value reply = json::parse(created.body, ec);
  const json::value* job_id =
      !ec && reply.is_object() ? reply.get_object().if_contains("job_id") : nullptr;
  if (job_id == nullptr || !job_id->is_string() || job_id->get_string().empty()) {
    err << "levain train: the server started a job but its reply has no job_id: "
        << created.body.substr(0, 300) << '\n';
    return 1;
  }
  out << "job: " << job_id->get_string().c_str() << '\n';
  if (const json::value* live = reply.get_object().if_contains("live_url");
      live && live->is_string()) {
    out << "live: " << live->get_string().c_str() << '\n';
  }
  out << std::flush;

  WatchOptions watch;
  watch.url = options.url;
  watch.ca_file = options.ca_file;
  watch.tenant = options.tenant;
  watch.job = std::string(job_id->get_string());
  watch.token = options.token;
  watch.quiet = options.quiet;
  watch.transport = options.transport;
  // Only a person at a terminal can answer the question; elsewhere Ctrl-C stops as it always did.
  std::optional<InterruptPrompt> prompt;
  if (isatty(STDIN_FILENO) == 1 && isatty(STDERR_FILENO) == 1) {
    CancelOptions cancel{options.url, options.ca_file, options.tenant, watch.job, options.token};
    prompt.emplace(
        watch.job, [cancel, &out, &err] { run_cancel(cancel, out, err); }, err);
  }
  return run_watch(watch, out, err);
}

}  // namespace levain::cli
