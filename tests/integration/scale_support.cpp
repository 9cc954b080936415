#include "scale_support.hpp"

#include <sstream>
#include <stdexcept>

#include "harness/http_client.hpp"

namespace levain::integration {

std::optional<double> metric_value(const std::string& text, const std::string& sample) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.size() <= sample.size() || line.compare(0, sample.size(), sample) != 0 ||
        line[sample.size()] != ' ') {
      continue;
    }
    try {
      return std::stod(line.substr(sample.size() + 1));
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

double scrape(std::uint16_t port, const std::string& sample) {
  const auto r = HttpClient(port, std::chrono::seconds(30)).get("/metrics", "");
  if (r.status != 200) throw std::runtime_error("GET /metrics: " + r.summary());
  const auto value = metric_value(r.body, sample);
  if (!value) throw std::runtime_error("no sample " + sample + " in /metrics:\n" + r.body);
  return *value;
}

MetricSampler::MetricSampler(std::uint16_t port, std::string sample)
    : port_(port), sample_(std::move(sample)) {
  thread_ = std::thread([this] {
    while (!stopping_) {
      const auto r = HttpClient(port_, std::chrono::seconds(30)).get("/metrics", "");
      if (const auto v = metric_value(r.body, sample_)) {
        double seen = max_.load();
        while (*v > seen && !max_.compare_exchange_weak(seen, *v)) {
        }
        ++samples_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
}

MetricSampler::~MetricSampler() { stop(); }

void MetricSampler::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

loadgen::WatchersConfig watchers_of(std::uint16_t port, const std::string& target, int clients,
                                    std::chrono::seconds deadline) {
  loadgen::WatchersConfig c;
  c.host = "127.0.0.1";
  c.port = std::to_string(port);
  c.host_header = "127.0.0.1:" + c.port;
  c.target = target;
  c.clients = clients;
  c.max_in_flight = 64;
  c.deadline = std::chrono::steady_clock::now() + deadline;
  return c;
}

}  // namespace levain::integration
