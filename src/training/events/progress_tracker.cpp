#include "training/events/progress_tracker.hpp"

#include <algorithm>
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

void ProgressTracker::emit(EventType type, boost::json::object data) {
  const auto now = common::now_micros();
  record_.seq += 1;
  data["progress"] = record_.progress;
  data["current_step"] = record_.current_step;
  data["products_completed"] = record_.products_completed;
  data["total_products"] = record_.total_products;
  if (type == EventType::completed || type == EventType::failed) record_.finished_at_us = now;
  store_.save_job(record_);  // before the publish: a snapshot is never behind what was sent
  auto body = std::make_shared<const std::string>(encode_message(
      {ws_type(type), record_.job_id, record_.tenant_id, record_.seq, now}, std::move(data)));
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

void ProgressTracker::analysed(const std::string& details) {
  std::lock_guard lock(mutex_);
  if (is_terminal(record_.status)) return;
  record_.progress = std::max(record_.progress, 20);
  record_.current_step = kAnalysisStep;
  emit(EventType::progress, {{"step_details", details}});
}

void ProgressTracker::product_completed(ProductResult result) {
  std::lock_guard lock(mutex_);
  if (is_terminal(record_.status)) return;
  record_.products_completed += 1;
  record_.progress =
      std::max(record_.progress, progress_for(record_.products_completed, record_.total_products));
  record_.current_step = kTrainingStep;
  boost::json::object data = to_json(result);
  data["step_details"] = "Completed training for " + result.product + " (" +
                         std::to_string(record_.products_completed) + "/" +
                         std::to_string(record_.total_products) + ")";
  record_.results.push_back(std::move(result));
  emit(EventType::product_completed, std::move(data));
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
  emit(EventType::completed,
       {{"successful_trainings", static_cast<std::int64_t>(record_.results.size()) - failed},
        {"failed_trainings", failed},
        {"total_duration", duration_s},
        {"step_details", "Training completed"}});
}

void ProgressTracker::failed(JobStatus final_status, const std::string& error) {
  std::lock_guard lock(mutex_);
  if (is_terminal(record_.status)) return;
  record_.status = final_status;
  record_.error = error;
  record_.current_step = final_status == JobStatus::cancelled ? "Cancelled" : "Failed";
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
