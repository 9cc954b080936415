// `levain training` and `levain demo`: the training service, bare or with demo data loaded.
#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <sstream>

#include "auth/token.hpp"
#include "cli/commands/commands.hpp"
#include "cli/commands/common_flags.hpp"
#include "cli/commands/config_file.hpp"
#include "cli/commands/gateway_options.hpp"
#include "cli/commands/service_options.hpp"
#include "common/ids.hpp"
#include "forecast/csv.hpp"
#include "forecast/demo_data.hpp"
#include "gateway/gateway.hpp"

namespace levain::cli {

void add_training_command(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("training", "Run the training service (REST + live WebSocket)");
  auto flags = std::make_shared<ServiceFlags>();
  add_service_flags(*cmd, *flags);
  env_from_flags(*cmd);
  auto print = std::make_shared<bool>(false);
  add_print_config(*cmd, *print);
  cmd->callback([&run, cmd, flags, print] {
    if (*print) {
      run = [cmd] { return print_config(*cmd); };
    } else {
      run = [flags] { return run_service(*flags, nullptr); };
    }
  });
}

namespace {

struct DemoFlags {
  ServiceFlags service;
  std::string gateway_listen = "127.0.0.1:8080";
  std::string web_root = "web";
  std::string tenant = "demo-bakery";
  int products = 20;
  int days = 3 * 365;
};

// Signs the demo's tokens, so it comes from the same CSPRNG as the ids.
std::string random_secret() { return "demo-" + common::random_hex(16); }

void load_demo_data(training::Store& store, const DemoFlags& f) {
  if (!store.list_products(f.tenant).empty()) return;  // keep what an earlier run uploaded
  std::ostringstream csv;
  forecast::DemoDataOptions options;
  options.products = f.products;
  options.days = f.days;
  forecast::write_demo_csv(csv, options);
  const auto parsed = forecast::parse_sales_csv(csv.str());
  store.upsert_sales(f.tenant, parsed.regressor_names, parsed.rows);
}

// The running binary, so the printed commands work from any directory and without PATH.
std::string self_path() {
  std::error_code ec;
  const auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("levain") : path.string();
}

// Single quotes for a shell unless every character is plainly safe.
std::string shell_word(const std::string& text) {
  const bool plain = !text.empty() && text.find_first_not_of(
                                          "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                          "0123456789/._-+=:") == std::string::npos;
  if (plain) return text;
  std::string quoted = "'";
  for (const char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// The gateway's URL first (it is what to open), then lines that run as printed in a shell.
std::string demo_banner(const DemoFlags& f, const std::string& url, const std::string& token) {
  const std::string levain = shell_word(self_path());
  const std::string exported =
      token.empty() ? "export TOKEN=<a token of your identity provider with role trainer>"
                    : "export TOKEN=" + token;
  // With the provider's keys (a PEM key or a JWKS) the demo cannot mint: no link signs in.
  const std::string dashboard =
      token.empty() ? "Dashboard: " + url + " (sign in with a token of your identity provider)"
                    : "Dashboard, signed in: " + url + "/#token=" + token;
  return fmt::format(
      "Gateway URL: {0}\n\n"
      "Levain demo is running: {1} products of sales history loaded for tenant '{2}'.\n"
      "  {3}\n\n"
      "Train and watch it live from a terminal (these lines run as printed):\n"
      "  {4}\n"
      "  {5} demo-data --products {1} --days {6} > levain-demo.csv\n"
      "  {5} train --url {0} --tenant {2} --token \"$TOKEN\" levain-demo.csv\n\n"
      "Stop with Ctrl-C.\n",
      url, f.products, f.tenant, dashboard, exported, levain, f.days);
}

}  // namespace

// The gateway of `levain demo`: same token rules as the service, the service as its only
// replica, the dashboard from --web-root.
std::unique_ptr<gateway::Gateway> start_demo_gateway(const DemoFlags& f,
                                                     unsigned short service_port,
                                                     std::string& url) {
  GatewayFlags g;
  g.listen = f.gateway_listen;
  g.upstreams = "127.0.0.1:" + std::to_string(service_port);
  g.auth = f.service.auth;
  g.web_root = f.web_root;
  g.log_level = f.service.log_level;
  auto gw = std::make_unique<gateway::Gateway>(to_gateway_config(g));
  const auto ep = gw->start();
  url = fmt::format("http://{}:{}", ep.address().to_string(), ep.port());
  return gw;
}

void add_demo_command(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand(
      "demo",
      "Run the training service behind the gateway, with demo sales loaded for tenant "
      "demo-bakery and the dashboard served");
  auto f = std::make_shared<DemoFlags>();
  f->service.data_dir = "levain-data/demo";
  f->service.listen = "127.0.0.1:0";
  add_service_flags(*cmd, f->service);
  cmd->add_option("--gateway-listen", f->gateway_listen,
                  "HOST:PORT of the gateway, the URL to open (the service listens on --listen)")
      ->capture_default_str();
  cmd->add_option("--web-root", f->web_root, "Directory of the dashboard's files")
      ->capture_default_str();
  cmd->add_option("--tenant", f->tenant, "Tenant the demo data belongs to")->capture_default_str();
  cmd->add_option("--products", f->products, "Demo products")
      ->capture_default_str()
      ->check(CLI::Range(1, 5000));
  cmd->add_option("--days", f->days, "Days of demo history")
      ->capture_default_str()
      ->check(CLI::Range(7, 20000));
  env_from_flags(*cmd);
  cmd->callback([&run, f] {
    run = [f] {
      if (!f->service.auth.any_key()) {
        f->service.auth.jwt_secret = random_secret();
      }
      std::unique_ptr<gateway::Gateway> gw;
      const int rc = run_service(
          f->service, [f, &gw](training::TrainingService& service, unsigned short port) {
            load_demo_data(service.store(), *f);
            std::string url;
            gw = naming_listen_flag("--gateway-listen",
                                    [&] { return start_demo_gateway(*f, port, url); });
            std::string token;
            if (!f->service.auth.jwt_secret.empty()) {
              auth::MintRequest req;
              req.subject = "demo-manager";
              req.tenants = {f->tenant};
              req.roles = {"trainer"};
              req.ttl = std::chrono::hours(24);
              req.now = std::chrono::system_clock::now();
              token = auth::mint_hs256(req, f->service.auth.jwt_secret);
            }
            std::cout << demo_banner(*f, url, token) << std::flush;
          });
      if (gw) gw->stop();
      return rc;
    };
  });
}

}  // namespace levain::cli
