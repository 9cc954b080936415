// `levain demo-data`, `levain token`, `levain train`, `levain watch`: tools around the service.
#include <iostream>

#include "auth/duration.hpp"
#include "auth/token.hpp"
#include "cli/client/plan.hpp"
#include "cli/client/train.hpp"
#include "cli/client/watch.hpp"
#include "cli/commands/commands.hpp"
#include "cli/commands/common_flags.hpp"
#include "forecast/dates.hpp"
#include "forecast/demo_data.hpp"

namespace levain::cli {

void add_demo_data_command(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand(
      "demo-data", "Write realistic bakery sales as CSV (date,product,quantity) to stdout");
  auto opts = std::make_shared<forecast::DemoDataOptions>();
  auto end = std::make_shared<std::string>(forecast::format_iso_date(opts->end));
  cmd->add_option("--products", opts->products, "Number of products")
      ->capture_default_str()
      ->check(CLI::Range(1, 5000));
  cmd->add_option("--days", opts->days, "Days of history")
      ->capture_default_str()
      ->check(CLI::Range(1, 20000));
  cmd->add_option("--seed", opts->seed, "Random seed; the same seed gives the same bytes")
      ->capture_default_str();
  cmd->add_option("--end", *end, "Last date, YYYY-MM-DD")->capture_default_str();
  env_from_flags(*cmd);
  cmd->callback([&run, opts, end] {
    const auto d = forecast::parse_iso_date(*end);
    if (!d) throw CLI::ValidationError("--end", "expected a date as YYYY-MM-DD");
    opts->end = *d;
    run = [opts] {
      std::ios::sync_with_stdio(false);
      forecast::write_demo_csv(std::cout, *opts);
      std::cout.flush();
      return std::cout ? 0 : 1;
    };
  });
}

void add_token_command(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("token", "Print an HS256 JWT for development and tests");
  struct Flags {
    std::vector<std::string> tenants;
    std::vector<std::string> roles;
    std::string ttl = "1h";
    std::string secret;
    std::string subject = "levain-cli";
    std::string issuer, audience;
  };
  auto f = std::make_shared<Flags>();
  cmd->add_option("--tenant", f->tenants, "Tenant the token grants (repeatable)")->required();
  cmd->add_option("--role", f->roles, "Role, e.g. trainer (repeatable)");
  cmd->add_option("--ttl", f->ttl, "Lifetime: 90s, 15m, 1h, 7d")->capture_default_str();
  cmd->add_option("--secret", f->secret, "HS256 secret the service was given")->required();
  cmd->add_option("--sub", f->subject, "Subject (user)")->capture_default_str();
  cmd->add_option("--iss", f->issuer, "Issuer claim");
  cmd->add_option("--aud", f->audience, "Audience claim");
  env_from_flags(*cmd);
  cmd->callback([&run, f] {
    const auto ttl = auth::parse_duration(f->ttl);
    if (!ttl) throw CLI::ValidationError("--ttl", "expected a duration such as 90s, 15m, 1h or 7d");
    run = [f, ttl] {
      auth::MintRequest req;
      req.subject = f->subject;
      req.tenants = f->tenants;
      req.roles = f->roles;
      req.ttl = *ttl;
      req.now = std::chrono::system_clock::now();
      req.issuer = f->issuer;
      req.audience = f->audience;
      std::cout << auth::mint_hs256(req, f->secret) << '\n';
      return 0;
    };
  });
}

void add_train_command(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("train", "Upload a sales CSV, start training and watch it live");
  auto o = std::make_shared<TrainOptions>();
  cmd->add_option("--url", o->url,
                  "Service or gateway URL, e.g. http://127.0.0.1:8081 or https://gateway.example")
      ->required();
  add_ca_file_flag(*cmd, o->ca_file);
  cmd->add_option("--tenant", o->tenant, "Tenant (bakery) id")->required();
  cmd->add_option("--token", o->token, "JWT with role trainer")->required();
  cmd->add_option("--product", o->products, "Train only these products (repeatable)");
  cmd->add_option("--horizon-days", o->horizon_days, "Days to forecast")
      ->capture_default_str()
      ->check(CLI::Range(1, 365));
  cmd->add_flag("--quiet", o->quiet, "Only the final result");
  add_transport_flag(*cmd, o->transport);
  cmd->add_flag("--strict", o->strict,
                "Fail (exit 1, no job started) when the server rejects any row of the CSV");
  cmd->add_flag("--upload-only", o->upload_only,
                "Upload the sales and stop: no job is started (train later, e.g. from the "
                "dashboard)");
  cmd->add_option("csv", o->csv_path, "Sales CSV: date,product,quantity")->required();
  env_from_flags(*cmd);
  cmd->callback([&run, o] { run = [o] { return run_train(*o, std::cout, std::cerr); }; });
}

void add_cancel_command(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand(
      "cancel", "Cancel a training job; exit 0 accepted, 1 refused (already over), 2 unreachable");
  auto o = std::make_shared<CancelOptions>();
  cmd->add_option("--url", o->url, "Service or gateway URL (http:// or https://)")->required();
  add_ca_file_flag(*cmd, o->ca_file);
  cmd->add_option("--tenant", o->tenant, "Tenant (bakery) id")->required();
  cmd->add_option("--job", o->job, "Job id")->required();
  cmd->add_option("--token", o->token, "JWT with role trainer")->required();
  env_from_flags(*cmd);
  cmd->callback([&run, o] { run = [o] { return run_cancel(*o, std::cout, std::cerr); }; });
}

void add_watch_command(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand(
      "watch", "Watch a training job live; exit 0 completed, 1 failed, 2 refused");
  auto o = std::make_shared<WatchOptions>();
  cmd->add_option("--url", o->url, "Service or gateway URL (http://, https://, ws://, wss://)")
      ->required();
  add_ca_file_flag(*cmd, o->ca_file);
  cmd->add_option("--tenant", o->tenant, "Tenant (bakery) id")->required();
  cmd->add_option("--job", o->job, "Job id")->required();
  cmd->add_option("--token", o->token, "JWT granting the tenant")->required();
  cmd->add_option("--max-attempts", o->max_attempts,
                  "Give up (exit 2) after this many failed connection attempts in a row (0: never)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000000));
  cmd->add_flag("--quiet", o->quiet, "Only the final result");
  add_transport_flag(*cmd, o->transport);
  env_from_flags(*cmd);
  cmd->callback([&run, o] { run = [o] { return run_watch(*o, std::cout, std::cerr); }; });
}

void add_plan_command(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand(
      "plan",
      "Print how much of each product to bake (the bake plan); exit 0, 1 refused, 2 "
      "unreachable");
  auto o = std::make_shared<PlanOptions>();
  cmd->add_option("--url", o->url, "Service or gateway URL (http:// or https://)")->required();
  add_ca_file_flag(*cmd, o->ca_file);
  cmd->add_option("--tenant", o->tenant, "Tenant (bakery) id")->required();
  cmd->add_option("--token", o->token, "JWT granting the tenant")->required();
  cmd->add_option("--date", o->date,
                  "Day to bake for, YYYY-MM-DD (default: the day after the latest sales)");
  cmd->add_option("--days", o->days, "Days from --date")
      ->capture_default_str()
      ->check(CLI::Range(1, 14));
  cmd->add_flag("--csv", o->csv, "Print the server's CSV (for a spreadsheet) instead of a table");
  env_from_flags(*cmd);
  cmd->callback([&run, o] {
    if (!o->date.empty() && !forecast::parse_iso_date(o->date)) {
      throw CLI::ValidationError("--date", "expected a date as YYYY-MM-DD");
    }
    run = [o] { return run_plan(*o, std::cout, std::cerr); };
  });
}

void add_forecast_command(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand(
      "forecast",
      "Print the stored forecasts of every product (or one); exit 0, 1 refused, 2 "
      "unreachable");
  auto o = std::make_shared<ForecastOptions>();
  cmd->add_option("--url", o->url, "Service or gateway URL (http:// or https://)")->required();
  add_ca_file_flag(*cmd, o->ca_file);
  cmd->add_option("--tenant", o->tenant, "Tenant (bakery) id")->required();
  cmd->add_option("--token", o->token, "JWT granting the tenant")->required();
  cmd->add_option("--product", o->product, "Only this product");
  cmd->add_option("--days", o->days, "Days of each forecast")
      ->capture_default_str()
      ->check(CLI::Range(1, 365));
  cmd->add_flag("--csv", o->csv, "CSV: product,model_version,date,yhat,yhat_lower,yhat_upper");
  env_from_flags(*cmd);
  cmd->callback([&run, o] { run = [o] { return run_forecast(*o, std::cout, std::cerr); }; });
}

void add_ca_file_flag(CLI::App& cmd, std::string& ca_file) {
  cmd.add_option("--ca-file", ca_file,
                 "PEM file of the CA that signed the server's certificate, for https:// and "
                 "wss:// with a private CA (default: the system's trusted CAs)")
      ->check(CLI::ExistingFile);
}

void env_from_flags(CLI::App& cmd) {
  for (auto* opt : cmd.get_options()) {
    const auto& name = opt->get_single_name();
    if (opt->get_lnames().empty() || name == "help") continue;
    std::string env = "LEVAIN_";
    for (const char c : name) env += c == '-' ? '_' : static_cast<char>(std::toupper(c));
    opt->envname(env);
  }
}

}  // namespace levain::cli
