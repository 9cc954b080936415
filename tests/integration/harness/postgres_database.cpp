#include "postgres_database.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <stdexcept>

#include "instance_script.hpp"

namespace levain::integration {

namespace {

std::string from_build(const char* env, const char* compiled) {
  if (const char* v = std::getenv(env); v != nullptr && *v != '\0') return v;
  if (compiled != nullptr && *compiled != '\0') return compiled;
  throw std::runtime_error(std::string("set ") + env + " (ctest sets it up)");
}

#ifndef LEVAIN_POSTGRES_INSTANCE
#define LEVAIN_POSTGRES_INSTANCE ""
#endif
#ifndef LEVAIN_TEST_POSTGRES_DIR
#define LEVAIN_TEST_POSTGRES_DIR ""
#endif

}  // namespace

std::string fresh_test_database() {
  static std::atomic<int> counter{0};
  const auto stamp = std::chrono::system_clock::now().time_since_epoch() / std::chrono::seconds(1);
  const auto name = "it_" + std::to_string(::getpid()) + "_" + std::to_string(stamp) + "_" +
                    std::to_string(counter++);
  const auto out = run_instance_script(
      from_build("LEVAIN_POSTGRES_INSTANCE", LEVAIN_POSTGRES_INSTANCE), "createdb",
      from_build("LEVAIN_TEST_POSTGRES_DIR", LEVAIN_TEST_POSTGRES_DIR), name);
  return url_from_start(out, "postgresql://");
}

}  // namespace levain::integration
