#include "training/jobs/job.hpp"

#include <array>
#include <utility>

namespace levain::training {
namespace {

// The wire names are part of the REST/WebSocket contract and of the stored rows: never rename.
constexpr std::array<std::pair<JobStatus, std::string_view>, 5> kStatusNames{{
    {JobStatus::pending, "pending"},
    {JobStatus::running, "running"},
    {JobStatus::completed, "completed"},
    {JobStatus::failed, "failed"},
    {JobStatus::cancelled, "cancelled"},
}};

}  // namespace

std::string_view to_string(JobStatus s) {
  for (const auto& [status, name] : kStatusNames) {
    if (status == s) return name;
  }
  return "unknown";
}

std::optional<JobStatus> parse_job_status(std::string_view s) {
  for (const auto& [status, name] : kStatusNames) {
    if (name == s) return status;
  }
  return std::nullopt;
}

}  // namespace levain::training
