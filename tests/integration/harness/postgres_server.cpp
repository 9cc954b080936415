#include "postgres_server.hpp"

#include <cstdlib>
#include <stdexcept>

#include "instance_script.hpp"

namespace levain::integration {

namespace {

std::string instance_script() {
#ifdef LEVAIN_POSTGRES_INSTANCE
  return LEVAIN_POSTGRES_INSTANCE;
#else
  if (const char* s = std::getenv("LEVAIN_POSTGRES_INSTANCE")) return s;
  throw std::runtime_error("set LEVAIN_POSTGRES_INSTANCE to scripts/postgres-instance");
#endif
}

}  // namespace

PrivatePostgres::PrivatePostgres(std::filesystem::path dir) : dir_(std::move(dir)) {
  // As root the script runs the server as `postgres`, which must be able to reach its cluster
  // through the test's private (0700) temp dir: let others traverse it, not list it.
  namespace fs = std::filesystem;
  fs::create_directories(dir_);
  for (auto p = dir_.parent_path(); p != p.root_path(); p = p.parent_path()) {
    if (p == fs::temp_directory_path()) break;
    fs::permissions(p, fs::perms::others_exec | fs::perms::group_exec, fs::perm_options::add);
  }
  url_ = url_from_start(run_instance_script(instance_script(), "start", dir_), "postgresql://");
}

PrivatePostgres::~PrivatePostgres() {
  try {
    run_instance_script(instance_script(), "stop", dir_);
  } catch (...) {
    // Destructors stay quiet; the script already said what went wrong.
  }
}

}  // namespace levain::integration
