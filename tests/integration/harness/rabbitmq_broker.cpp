#include "rabbitmq_broker.hpp"

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

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

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
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
  const std::string line =
      "'" + instance_script() + "' " + command + " '" + dir_.string() + "' 2>&1";
  FILE* pipe = ::popen(line.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("could not run " + line);
  std::string out;
  std::array<char, 4096> buf{};
  while (const auto n = std::fread(buf.data(), 1, buf.size(), pipe)) out.append(buf.data(), n);
  const int status = ::pclose(pipe);
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("rabbitmq-instance " + command + " failed:\n" + out);
  }
  return out;
}

void PrivateBroker::start() {
  const auto out = trim(run("start"));
  const auto last = out.rfind('\n');
  url_ = last == std::string::npos ? out : out.substr(last + 1);
  if (!url_.starts_with("amqp://"))
    throw std::runtime_error("no URL from rabbitmq-instance: " + out);
}

void PrivateBroker::stop() { run("stop"); }

void PrivateBroker::wipe() { run("wipe"); }

}  // namespace levain::integration
