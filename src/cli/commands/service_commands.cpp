// `levain training` and `levain demo`: the training service, bare or with demo data loaded.
#include <fmt/format.h>

#include <iostream>
#include <random>
#include <sstream>

#include "auth/token.hpp"
#include "cli/commands/commands.hpp"
#include "cli/commands/service_options.hpp"
#include "forecast/csv.hpp"
#include "forecast/demo_data.hpp"

namespace levain::cli {

void add_training_command(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("training", "Run the training service (REST + live WebSocket)");
  auto flags = std::make_shared<ServiceFlags>();
  add_service_flags(*cmd, *flags);
  env_from_flags(*cmd);
  cmd->callback([&run, flags] { run = [flags] { return run_service(*flags, nullptr); }; });
}

namespace {

struct DemoFlags {
  ServiceFlags service;
  std::string tenant = "demo-bakery";
  int products = 20;
  int days = 3 * 365;
};

std::string random_secret() {
  std::random_device rd;
  return fmt::format("demo-{:08x}{:08x}{:08x}{:08x}", rd(), rd(), rd(), rd());
}

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

}  // namespace

void add_demo_command(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand(
      "demo", "Run the training service with demo sales loaded for tenant demo-bakery");
  auto f = std::make_shared<DemoFlags>();
  f->service.data_dir = "levain-data/demo";
  add_service_flags(*cmd, f->service);
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
      if (f->service.jwt_secret.empty() && f->service.jwt_public_key.empty()) {
        f->service.jwt_secret = random_secret();
      }
      return run_service(f->service, [f](training::TrainingService& service, unsigned short port) {
        load_demo_data(service.store(), *f);
        std::string token;
        if (f->service.jwt_public_key.empty()) {
          auth::MintRequest req;
          req.subject = "demo-manager";
          req.tenants = {f->tenant};
          req.roles = {"trainer"};
          req.ttl = std::chrono::hours(24);
          req.now = std::chrono::system_clock::now();
          token = auth::mint_hs256(req, f->service.jwt_secret);
        }
        const auto host = f->service.listen.substr(0, f->service.listen.rfind(':'));
        const auto url = fmt::format("http://{}:{}", host, port);
        std::cout << fmt::format(
                         "\nLevain demo is running: {} products of sales history loaded for "
                         "tenant '{}'.\n\n"
                         "  Service URL: {}\n  Token (24 h, role trainer): {}\n\n"
                         "Train and watch it live:\n"
                         "  levain train --url {} --tenant {} --token $TOKEN demo.csv\n"
                         "  curl -X POST -H \"Authorization: Bearer $TOKEN\" "
                         "{}/api/v1/tenants/{}/training/jobs\n"
                         "Stop with Ctrl-C.\n",
                         f->products, f->tenant, url, token, url, f->tenant, url, f->tenant)
                  << std::endl;
      });
    };
  });
}

}  // namespace levain::cli
