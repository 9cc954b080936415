#include "cli/commands/usage.hpp"

#include <string>

namespace levain::cli {

int usage_exit(CLI::App& app, const CLI::Error& error) {
  const int code = app.exit(error);
  return code == static_cast<int>(CLI::ExitCodes::Success) ? 0 : kUsageExit;
}

std::optional<int> refuse_unknown_subcommand(const CLI::App& app, int argc, char** argv,
                                             std::ostream& err) {
  if (argc < 2 || argv[1][0] == '-') return std::nullopt;
  const std::string name = argv[1];
  const auto all = app.get_subcommands([](const CLI::App*) { return true; });
  std::string names;
  for (const CLI::App* sub : all) {
    if (sub->check_name(name)) return std::nullopt;
    names += (names.empty() ? "" : ", ") + sub->get_name();
  }
  err << "levain: unknown subcommand '" << name << "'\n"
      << "  the subcommands are: " << names << "\n"
      << "  run 'levain --help' for what each does, 'levain SUBCOMMAND --help' for its flags\n";
  return kUsageExit;
}

}  // namespace levain::cli
