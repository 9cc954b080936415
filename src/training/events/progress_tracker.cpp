#include "training/events/progress_tracker.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "common/ids.hpp"
#include "training/jobs/job_json.hpp"

namespace levain::training {

namespace {
constexpr const char* kAnalysisStep = "Data Analysis";
constexpr const char* kTrainingStep = "Model Training";
}  // namespace

int progress_for(int products_completed, int total_products) {
  if (total_products <= 0) return 20;
  const long done = std::clamp<long>(products_completed, 0, total_products);
  return static_cast<int>(20 + done * 60 / total_products);
}

ProgressTracker::ProgressTracker(JobRecord record, Store& store, bus::EventBus& bus,
                                 common::Counter& events_published)
    : record_(std::move(record)), store_(store), bus_(bus), events_published_(events_published) {}

double ProgressTracker::now_s() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - born_).count();
}

void ProgressTracker::emit(EventType type, boost::json::object data) {
  const auto now = common::now_micros();
  record_.seq += 1;
  if (record_.started_at_us != 0) {
    const auto elapsed = std::round(static_cast<double>(now - record_.started_at_us) / 1e3) / 1e3;
    boost::json::value eta = nullptr;
    if (type == EventType::completed) {
      eta = 0.0;
    } else if (const auto e = eta_ ? eta_->eta_s(now_s()) : std::nullopt;
               e && type != EventType::failed) {
      eta = std::round(*e * 1e3) / 1e3;
    }
    boost::json::array in_flight;
    in_flight.reserve(threads_);
    for (const auto& [index, name] : in_flight_) in_flight.emplace_back(name);
    // A thread this event frees takes the next product as the event goes out.
    const bool fitting = type == EventType::progress || type == EventType::product_completed;
    for (std::size_t i = next_; fitting && in_flight.size() < threads_ && i < names_.size(); ++i) {
      if (!begun_[i]) in_flight.emplace_back(names_[i]);
    }
    record_.live["elapsed_s"] = elapsed;
    record_.live["eta_s"] = eta;
    record_.live["in_flight"] = in_flight;
    data["elapsed_s"] = elapsed;
    data["eta_s"] = std::move(eta);
    data["in_flight"] = std::move(in_flight);
  }
  data["progress"] = record_.progress;
  data["current_step"] = record_.current_step;
  data["products_completed"] = record_.products_completed;
  data["total_products"] = record_.total_products;
  if (type == EventType::completed || type == EventType::failed) record_.finished_at_us = now;
  store_.save_job(record_);  // before the publish: a snapshot is never behind what was sent
  auto body = std::make_shared<const std::string>(encode_message(
      {ws_type(type), record_.job_id, record_.tenant_id, record_.seq, now}, std::move(data)));
  if (type == EventType::completed || type == EventType::failed) {
    // The job's end, once, by the replica that ended it: the tenant's webhooks hear it.
    try {
      store_.enqueue_deliveries(record_.tenant_id, record_.job_id, std::string(ws_type(type)),
                                *body, now);
    } catch (const std::exception& e) {
      spdlog::error("job {}: could not queue its webhooks: {}", record_.job_id, e.what());
    }
  }
  bus_.publish(std::string(routing_key(type)), std::move(body));
  events_published_.inc();
}

void ProgressTracker::started(int total_products) {
  std::lock_guard lock(mutex_);
  if (is_terminal(record_.status)) return;
  record_.status = JobStatus::running;
  record_.total_products = total_products;
  record_.started_at_us = common::now_micros();
  record_.current_step = "Started";
  emit(EventType::started, {{"step_details", "Training job started"}});
}

void ProgressTracker::analysed(const std::string& details, boost::json::object report,
                               std::vector<std::string> names, std::vector<std::size_t> rows,
                               unsigned threads) {
  std::lock_guard lock(mutex_);
  if (is_terminal(record_.status)) return;
  names_ = std::move(names);
  begun_.assign(names_.size(), false);
  threads_ = std::max(1u, threads);
  record_.progress = std::max(record_.progress, 20);
  record_.current_step = kAnalysisStep;
  eta_.emplace(std::move(rows), threads);
  record_.live["report"] = report;
  emit(EventType::progress, {{"step_details", details}, {"report", std::move(report)}});
}

void ProgressTracker::product_started(std::size_t index, const std::string& name) {
  std::lock_guard lock(mutex_);
  if (is_terminal(record_.status)) return;
  if (eta_) eta_->begin(index, now_s());
  in_flight_.emplace_back(index, name);
  if (index < begun_.size()) begun_[index] = true;
  while (next_ < begun_.size() && begun_[next_]) ++next_;
}

void ProgressTracker::product_completed(std::size_t index, ProductResult result) {
  std::lock_guard lock(mutex_);
  if (is_terminal(record_.status)) return;
  const double t = now_s();
  if (eta_) eta_->end(index, t);
  std::erase_if(in_flight_, [index](const auto& f) { return f.first == index; });
  summary_.add(result);
  auto summary = summary_.to_json();
  record_.live["summary"] = summary;
  record_.products_completed += 1;
  record_.progress =
      std::max(record_.progress, progress_for(record_.products_completed, record_.total_products));
  record_.current_step = kTrainingStep;
  boost::json::object data = to_json(result);
  data["step_details"] = "Completed training for " + result.product + " (" +
                         std::to_string(record_.products_completed) + "/" +
                         std::to_string(record_.total_products) + ")";
  data["summary"] = std::move(summary);
  record_.results.push_back(std::move(result));
  if (eta_) {
    eta_check_.observe(eta_->done(), eta_->total(), t, eta_->eta_s(t));
  }
  emit(EventType::product_completed, std::move(data));
  if (eta_) eta_->recorded(index, now_s() - t);
}

boost::json::array ProgressTracker::eta_error(double end_s) const {
  boost::json::array out;
  for (const auto& p : eta_check_.points()) {
    const double actual = end_s - p.at_s;
    const double error = p.eta_s - actual;
    auto ms = [](double s) { return std::round(s * 1e3) / 1e3; };
    out.push_back(boost::json::object{
        {"at_percent", p.at_percent},
        {"products_completed", p.products_completed},
        {"eta_s", ms(p.eta_s)},
        {"actual_s", ms(actual)},
        {"error_s", ms(error)},
        {"error_pct", actual > 0 ? boost::json::value(std::round(error / actual * 1e3) / 10)
                                 : boost::json::value(nullptr)}});
  }
  return out;
}

void ProgressTracker::completed() {
  std::lock_guard lock(mutex_);
  if (is_terminal(record_.status)) return;
  const auto failed = std::count_if(record_.results.begin(), record_.results.end(),
                                    [](const ProductResult& r) { return r.status != "succeeded"; });
  record_.status = JobStatus::completed;
  record_.progress = 100;
  record_.current_step = "Completed";
  const double duration_s = static_cast<double>(common::now_micros() - record_.started_at_us) / 1e6;
  in_flight_.clear();
  auto eta_error = this->eta_error(now_s());
  record_.live["eta_error"] = eta_error;
  emit(EventType::completed,
       {{"successful_trainings", static_cast<std::int64_t>(record_.results.size()) - failed},
        {"failed_trainings", failed},
        {"total_duration", duration_s},
        {"summary", summary_.to_json()},
        {"eta_error", std::move(eta_error)},
        {"step_details", "Training completed"}});
}

void ProgressTracker::failed(JobStatus final_status, const std::string& error) {
  std::lock_guard lock(mutex_);
  if (is_terminal(record_.status)) return;
  record_.status = final_status;
  record_.error = error;
  record_.current_step = final_status == JobStatus::cancelled ? "Cancelled" : "Failed";
  in_flight_.clear();
  boost::json::object data{{"error", error}, {"step_details", error}};
  if (final_status == JobStatus::cancelled) data["reason"] = "cancelled";
  emit(EventType::failed, std::move(data));
}

JobRecord ProgressTracker::snapshot() const {
  std::lock_guard lock(mutex_);
  return record_;
}

bool ProgressTracker::finished() const {
  std::lock_guard lock(mutex_);
  return is_terminal(record_.status);
}

}  // namespace levain::training
