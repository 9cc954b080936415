#pragma once
/// `levain train`: upload a sales CSV, start a training job, then watch it live to the end.

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "cli/client/watch.hpp"

namespace levain::cli {

struct TrainOptions {
  std::string url;      // http://HOST:PORT or https://HOST:PORT
  std::string ca_file;  // with https: PEM CA certificate(s) to trust; empty: the system's
  std::string tenant;
  std::string token;  // needs role "trainer"
  std::string csv_path;
  std::vector<std::string> products;  // empty: every product with sales
  int horizon_days = 14;
  bool quiet = false;
  LiveTransport transport = LiveTransport::websocket;
  bool upload_only = false;  // upload and stop: train later (the dashboard, another replica)
  bool strict = false;       // a rejected row fails the command before any job starts
};

/// Largest CSV the CLI reads into memory and sends.
inline constexpr std::uintmax_t kMaxCsvBytes = 512ull << 20;

/// Exit codes: with upload_only, 0 once the upload was accepted; with strict, 1 when the server
/// rejected any row (the rows are listed; the accepted ones are stored, no job is started).
/// Otherwise the watch's (0 completed, 1 failed/cancelled, 2 refused/unreachable) once the job
/// started; before that 1 for a local or server-side error (the server's message is printed) and 2
/// when the server cannot be reached.
int run_train(const TrainOptions& options, std::ostream& out, std::ostream& err);

struct CancelOptions {
  std::string url;
  std::string ca_file;
  std::string tenant;
  std::string job;
  std::string token;  // needs role "trainer"
};

/// `levain cancel`: asks the service to cancel a job. 0 when accepted (the job ends `cancelled`;
/// its watchers see it), 1 when refused (already over, unknown job, no right), 2 unreachable.
int run_cancel(const CancelOptions& options, std::ostream& out, std::ostream& err);

}  // namespace levain::cli
