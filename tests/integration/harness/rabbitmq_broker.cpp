#include "rabbitmq_broker.hpp"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "instance_script.hpp"

namespace levain::integration {

namespace {

std::string instance_script() {
#ifdef LEVAIN_RABBITMQ_INSTANCE
  return LEVAIN_RABBITMQ_INSTANCE;
#else
  if (const char* s = std::getenv("LEVAIN_RABBITMQ_INSTANCE")) return s;
  throw std::runtime_error("set LEVAIN_RABBITMQ_INSTANCE to scripts/rabbitmq-instance");
#endif
}

}  // namespace

std::string shared_broker_url() {
  std::string dir;
#ifdef LEVAIN_TEST_BROKER_DIR
  dir = LEVAIN_TEST_BROKER_DIR;
#endif
  if (const char* d = std::getenv("LEVAIN_TEST_BROKER_DIR")) dir = d;
  if (dir.empty()) throw std::runtime_error("no LEVAIN_TEST_BROKER_DIR: run the tests with ctest");
  std::ifstream in(std::filesystem::path(dir) / "url");
  std::string url;
  if (!std::getline(in, url) || url.empty()) {
    throw std::runtime_error("no broker in " + dir +
                             ": ctest starts it (fixture test rabbitmq_broker_start), or run "
                             "scripts/rabbitmq-instance start " +
                             dir);
  }
  return url;
}

PrivateBroker::PrivateBroker(std::filesystem::path dir) : dir_(std::move(dir)) { start(); }

PrivateBroker::~PrivateBroker() {
  try {
    stop();
  } catch (...) {
    // Destructors stay quiet; the script already reported what went wrong on stderr.
  }
}

std::string PrivateBroker::run(const std::string& command) {
  return run_instance_script(instance_script(), command, dir_);
}

void PrivateBroker::start() { url_ = url_from_start(run("start"), "amqp://"); }

void PrivateBroker::stop() { run("stop"); }

void PrivateBroker::wipe() { run("wipe"); }

}  // namespace levain::integration
