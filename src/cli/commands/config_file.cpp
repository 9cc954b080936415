#include "cli/commands/config_file.hpp"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <regex>
#include <sstream>

namespace levain::cli {
namespace {

// CLI11 reads the file before the environment, so a key in the file would beat its LEVAIN_*
// variable. Dropping the keys whose variable is set restores "variable over file"; underscores
// become dashes so that `max_body_bytes` and `max-body-bytes` name the same flag.
class EnvFirstConfig : public CLI::ConfigTOML {
 public:
  explicit EnvFirstConfig(const CLI::App& app) : app_(app) {}

  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override {
    auto items = CLI::ConfigTOML::from_config(input);
    std::erase_if(items, [this](CLI::ConfigItem& item) {
      std::replace(item.name.begin(), item.name.end(), '_', '-');
      const CLI::Option* option = find(item);
      if (option == nullptr || option->get_envname().empty()) return false;
      return std::getenv(option->get_envname().c_str()) != nullptr;
    });
    return items;
  }

 private:
  const CLI::Option* find(const CLI::ConfigItem& item) const {
    const CLI::App* at = &app_;
    for (const auto& parent : item.parents) {
      const auto found =
          at->get_subcommands([&](const CLI::App* sub) { return sub->check_name(parent); });
      if (found.empty()) return nullptr;
      at = found.front();
    }
    return at->get_option_no_throw("--" + item.name);
  }

  const CLI::App& app_;
};

bool names_a_secret(const std::string& key) {
  // Not "token": token-cache-entries is a size.
  return key.find("secret") != std::string::npos || key.find("password") != std::string::npos;
}

}  // namespace

void add_config_file(CLI::App& app) {
  app.set_config("--config", "",
                 "TOML (or INI) file: a [training] and a [gateway] section of those commands' "
                 "long flags, e.g. listen = \"127.0.0.1:8081\"; a flag or LEVAIN_* variable "
                 "overrides it");
  app.config_formatter(std::make_shared<EnvFirstConfig>(app));
  // A misspelt key must not be ignored: the setting it meant would silently stay the default.
  app.allow_config_extras(CLI::config_extras_mode::error);
  // So that --config may follow the command, as the service units write it.
  for (auto* cmd : app.get_subcommands([](CLI::App*) { return true; })) cmd->fallthrough();
}

void add_print_config(CLI::App& cmd, bool& print_config) {
  cmd.add_flag("--print-config", print_config,
               "Print the effective configuration (secrets masked) as the config file's section "
               "and exit");
  cmd.footer("Settings may also come from a file: levain " + cmd.get_name() +
             " --config levain.toml, section [" + cmd.get_name() + "] (docs/deploy.md).");
}

std::string effective_config(const CLI::App& cmd) {
  std::istringstream in(cmd.config_to_str(/*default_also=*/true, /*write_description=*/false));
  // user:password@ inside a URL (the broker's, the database's).
  static const std::regex kUrlPassword(R"(([a-z][a-z0-9+.-]*://[^:/@\s"]*:)[^@\s"]*@)");
  std::string out = "[" + cmd.get_name() + "]\n";
  for (std::string line; std::getline(in, line);) {
    const auto eq = line.find('=');
    if (eq != std::string::npos) {
      std::string key = line.substr(0, eq);
      key.erase(key.find_last_not_of(' ') + 1);
      if (key == "print-config" || key == "config") continue;
      const std::string value = line.substr(eq + 1);
      if (names_a_secret(key) && value.find_first_not_of(" \"") != std::string::npos) {
        line = key + "=\"***\"";
      } else {
        line = std::regex_replace(line, kUrlPassword, "$1***@");
      }
    }
    out += line + '\n';
  }
  return out;
}

int print_config(const CLI::App& cmd) {
  std::cout << effective_config(cmd) << std::flush;
  return std::cout ? 0 : 1;
}

}  // namespace levain::cli
