#pragma once
/// The REST side of a bench run (contract paths only, through levain_client's HTTP helper):
/// upload demo sales, start and cancel jobs, read a job's status and last seq, and build the
/// live target the watchers upgrade to.

#include <cstdint>
#include <optional>
#include <string>

#include "cli/client/endpoint.hpp"

namespace levain::loadgen {

struct JobView {
  std::string status;
  std::uint64_t seq = 0;  // the last event folded into the job
};

class JobApi {
 public:
  JobApi(cli::Endpoint endpoint, std::string tenant, std::string token);

  /// Uploads `products` demo products × `days` days (levain demo-data's generator, seed 42).
  /// Returns the accepted rows. Throws std::runtime_error with the server's message.
  std::int64_t upload_demo(int products, int days) const;

  /// Starts a job over all the tenant's products; returns its id. Throws on failure.
  std::string start_job() const;

  /// Asks the server to cancel; throws unless it answered 2xx (or the job already ended).
  void cancel(const std::string& job_id) const;

  /// Nullopt when the job cannot be read (the reason in *error when non-null).
  std::optional<JobView> read(const std::string& job_id, std::string* error = nullptr) const;

  /// base_path + /api/v1/tenants/{t}/training/jobs/{id}/live?token=…
  std::string live_target(const std::string& job_id) const;

 private:
  std::string jobs_path() const;

  cli::Endpoint endpoint_;
  std::string tenant_;
  std::string token_;
};

}  // namespace levain::loadgen
