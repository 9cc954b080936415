#include "store/private_postgres.hpp"

#include <cstdio>
#include <memory>
#include <stdexcept>

namespace levain::training::testing {

PrivatePostgres::PrivatePostgres() { start(); }

PrivatePostgres::~PrivatePostgres() {
  try {
    stop();
  } catch (const std::exception&) {
    // The script already printed why; a destructor cannot do more.
  }
}

std::string PrivatePostgres::run(const std::string& command) {
  const std::string line = std::string(LEVAIN_POSTGRES_INSTANCE) + " " + command + " '" +
                           dir_.path().string() + "' 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(line.c_str(), "r"), ::pclose);
  if (!pipe) throw std::runtime_error("cannot run " + line);
  std::string out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, pipe.get())) out += buf;
  const int status = ::pclose(pipe.release());
  if (status != 0) throw std::runtime_error(line + " failed:\n" + out);
  return out;
}

void PrivatePostgres::start() {
  auto out = run("start");
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  url_ = out.substr(out.rfind('\n') + 1);  // the URL is the last line
}

void PrivatePostgres::stop() { run("stop"); }

}  // namespace levain::training::testing
