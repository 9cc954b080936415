// `levain gateway`: the single entry point in front of the training replicas.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <iostream>

#include "cli/commands/commands.hpp"
#include "cli/commands/common_flags.hpp"
#include "cli/commands/config_file.hpp"
#include "cli/commands/gateway_options.hpp"
#include "gateway/gateway.hpp"

namespace levain::cli {

int run_gateway(const GatewayFlags& flags) {
  spdlog::set_default_logger(spdlog::stderr_color_mt("levain-gateway"));
  spdlog::set_level(spdlog::level::from_str(flags.log_level));
  boost::asio::io_context signals_ioc;
  boost::asio::signal_set signals(signals_ioc, SIGINT, SIGTERM);
  signals.async_wait([](const boost::system::error_code&, int sig) {
    spdlog::info("received signal {}: shutting down", sig);
  });
  const auto config = to_gateway_config(flags);
  gateway::Gateway gw(config);
  const auto ep = naming_listen_flag("--listen", [&gw] { return gw.start(); });
  std::cout << "levain: listening on " << ep.address().to_string() << ':' << ep.port() << std::endl;
  std::string upstreams;
  for (const auto& u : config.upstreams) upstreams += (upstreams.empty() ? "" : ",") + u.label();
  spdlog::info("gateway listening on {}://{}:{} -> {}",
               config.tls_cert_file.empty() ? "http" : "https", ep.address().to_string(), ep.port(),
               upstreams);
  signals_ioc.run();
  gw.stop();
  return 0;
}

void add_gateway_command(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand(
      "gateway",
      "Run the gateway: verifies tokens and tenants, forwards REST and WebSockets to training "
      "replicas, serves the dashboard");
  auto flags = std::make_shared<GatewayFlags>();
  add_gateway_flags(*cmd, *flags);
  env_from_flags(*cmd);
  auto print = std::make_shared<bool>(false);
  add_print_config(*cmd, *print);
  cmd->callback([&run, cmd, flags, print] {
    if (*print) {
      run = [cmd] { return print_config(*cmd); };
    } else {
      run = [flags] { return run_gateway(*flags); };
    }
  });
}

}  // namespace levain::cli
