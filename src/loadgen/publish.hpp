#pragma once
/// `levain bench-publish`: a synthetic training job on the RabbitMQ bus, for measuring the live
/// fan-out without training on the same cores. It publishes E events for an existing (pending)
/// job into the bus exchange at R events per second: `started` (seq 1), the analysis `progress`
/// (seq 2), E − 3 `product_completed` and `completed` (seq E). The bodies are made by the
/// service's own ProgressTracker (over a private SQLite file), so they are the contract's, with
/// ETA, in-flight products and the running accuracy, each stamped when it is published.

#include <ostream>
#include <string>

namespace levain::loadgen {

struct PublishOptions {
  std::string amqp_url;
  std::string tenant;
  std::string job;
  int events = 103;      // ≥ 3: started, the analysis and completed at least
  double rate = 20;      // events per second
  unsigned threads = 2;  // the fit threads the events' in_flight lists show
  int connect_timeout_s = 30;
  bool json = false;
};

/// Exit codes: 0 every event was published and confirmed by the broker; 1 the broker did not
/// confirm them all in time; 2 bad options or no broker.
int run_publish(const PublishOptions& options, std::ostream& out, std::ostream& err);

}  // namespace levain::loadgen
