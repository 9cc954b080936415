#pragma once
/// RabbitMQ nodes for tests, run by scripts/rabbitmq-instance on free loopback ports. The shared
/// one is started and stopped by CTest fixtures (rabbitmq_broker_start/stop); a test that stops
/// or restarts its broker starts its own PrivateBroker, so parallel tests are not disturbed.

#include <filesystem>
#include <string>

namespace levain::integration {

/// URL of the CTest fixture's broker (directory from the LEVAIN_TEST_BROKER_DIR compile
/// definition or environment variable). Throws std::runtime_error saying how to start it.
std::string shared_broker_url();

class PrivateBroker {
 public:
  /// Starts a node with its data under `dir`. Throws std::runtime_error with the script's output
  /// (the node's log tail) when it does not come up.
  explicit PrivateBroker(std::filesystem::path dir);
  /// Stops the node (and its epmd) by its PID file.
  ~PrivateBroker();
  PrivateBroker(const PrivateBroker&) = delete;
  PrivateBroker& operator=(const PrivateBroker&) = delete;

  void start();  // again on the same ports, so the URL stays valid
  void stop();
  /// Deletes the stopped node's data: the next start is a fresh broker with no exchanges.
  void wipe();
  const std::string& url() const { return url_; }

 private:
  std::string run(const std::string& command);
  std::filesystem::path dir_;
  std::string url_;
};

}  // namespace levain::integration
