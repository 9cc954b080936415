#include "instance_script.hpp"

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <stdexcept>

namespace levain::integration {

std::string run_instance_script(const std::string& script, const std::string& command,
                                const std::filesystem::path& dir, const std::string& argument) {
  std::string line = "'" + script + "' " + command + " '" + dir.string() + "'";
  if (!argument.empty()) line += " '" + argument + "'";
  line += " 2>&1";
  FILE* pipe = ::popen(line.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("could not run " + line);
  std::string out;
  std::array<char, 4096> buf{};
  while (const auto n = std::fread(buf.data(), 1, buf.size(), pipe)) out.append(buf.data(), n);
  const int status = ::pclose(pipe);
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error(line + " failed:\n" + out);
  }
  return out;
}

std::string url_from_start(const std::string& output, const std::string& scheme) {
  std::string out = output;
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  const auto last = out.rfind('\n');
  auto url = last == std::string::npos ? out : out.substr(last + 1);
  if (!url.starts_with(scheme)) throw std::runtime_error("no " + scheme + " URL in: " + output);
  return url;
}

}  // namespace levain::integration
