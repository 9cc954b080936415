#include "cli/commands/service_options.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <iostream>
#include <thread>

#include "auth/token.hpp"

namespace levain::cli {

void add_service_flags(CLI::App& cmd, ServiceFlags& f) {
  cmd.add_option("--listen", f.listen, "HOST:PORT to listen on (port 0 picks a free one)")
      ->capture_default_str();
  cmd.add_option("--data-dir", f.data_dir, "Directory for the SQLite database")
      ->capture_default_str();
  cmd.add_option("--jwt-secret", f.jwt_secret, "HS256 shared secret (development)");
  cmd.add_option("--jwt-public-key", f.jwt_public_key,
                 "PEM public key file of the identity provider (RS256/ES256)");
  cmd.add_option("--jwt-alg", f.jwt_alg, "Token algorithm: HS256, RS256 or ES256")
      ->check(CLI::IsMember({"HS256", "RS256", "ES256"}));
  cmd.add_option("--jwt-issuer", f.jwt_issuer, "Required `iss` claim, when set");
  cmd.add_option("--jwt-audience", f.jwt_audience, "Required `aud` claim, when set");
  cmd.add_option("--jwt-leeway", f.jwt_leeway_s, "Clock skew allowed on exp/nbf/iat, seconds")
      ->capture_default_str()
      ->check(CLI::Range(0, 600));
  cmd.add_option("--io-threads", f.io_threads, "Network I/O threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  cmd.add_option("--train-threads", f.train_threads,
                 "Model-fitting threads (default: one per core)")
      ->check(CLI::Range(1, 256));
  cmd.add_option("--max-concurrent-jobs", f.max_concurrent_jobs,
                 "Jobs run at once on this replica; more wait in FIFO order")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  cmd.add_option("--max-products-per-job", f.max_products_per_job, "Largest job accepted")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  cmd.add_option("--ws-send-queue-bytes", f.ws_send_queue_bytes,
                 "Per-WebSocket send queue bound; a client over it is closed with 1008")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 30));
  cmd.add_option("--ws-idle-timeout", f.ws_idle_timeout_s,
                 "Seconds of silence (protocol pings unanswered) before a client is dropped")
      ->capture_default_str()
      ->check(CLI::Range(2, 3600));
  cmd.add_option("--ws-max-message-bytes", f.ws_max_message_bytes,
                 "Largest message a client may send")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{16}, std::size_t{1} << 20));
  cmd.add_option("--max-body-bytes", f.max_body_bytes, "Largest HTTP request body (CSV uploads)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 32));
  cmd.add_option("--max-header-bytes", f.max_header_bytes, "Largest HTTP request header")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 20));
  cmd.add_option("--header-timeout", f.header_timeout_s,
                 "Seconds allowed to send a request's headers (slowloris guard)")
      ->capture_default_str()
      ->check(CLI::Range(1, 600));
  cmd.add_option("--max-connections", f.max_connections, "Open connections accepted at once")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 22));
  cmd.add_option("--log-level", f.log_level, "trace, debug, info, warn, error or off")
      ->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
}

namespace {

std::pair<std::string, unsigned short> split_listen(const std::string& listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    throw CLI::ValidationError("--listen", "expected HOST:PORT, e.g. 127.0.0.1:8081");
  }
  try {
    std::size_t used = 0;
    const auto port = std::stoul(listen.substr(colon + 1), &used);
    if (used != listen.size() - colon - 1 || port > 65535) throw std::out_of_range("port");
    return {listen.substr(0, colon), static_cast<unsigned short>(port)};
  } catch (const std::exception&) {
    throw CLI::ValidationError("--listen", "port must be a number from 0 to 65535");
  }
}

}  // namespace

training::ServiceConfig to_service_config(const ServiceFlags& f) {
  training::ServiceConfig c;
  std::tie(c.host, c.port) = split_listen(f.listen);
  c.data_dir = f.data_dir;
  if (!f.jwt_public_key.empty()) {
    if (f.jwt_alg.empty() || f.jwt_alg == "HS256") {
      throw CLI::ValidationError("--jwt-alg", "--jwt-public-key needs --jwt-alg RS256 or ES256");
    }
    c.auth.algorithm = *auth::parse_algorithm(f.jwt_alg);
    c.auth.key = auth::read_key_file(f.jwt_public_key);
  } else if (!f.jwt_secret.empty()) {
    if (!f.jwt_alg.empty() && f.jwt_alg != "HS256") {
      throw CLI::ValidationError("--jwt-alg", "--jwt-secret is for HS256; use --jwt-public-key");
    }
    c.auth.algorithm = auth::Algorithm::HS256;
    c.auth.key = f.jwt_secret;
  } else {
    throw CLI::ValidationError("--jwt-secret",
                               "tokens must be verifiable: give --jwt-secret or --jwt-public-key");
  }
  c.auth.issuer = f.jwt_issuer;
  c.auth.audience = f.jwt_audience;
  c.auth.leeway = std::chrono::seconds(f.jwt_leeway_s);
  c.io_threads = f.io_threads;
  c.runner.train_threads =
      f.train_threads ? f.train_threads : std::max(1u, std::thread::hardware_concurrency());
  c.runner.max_concurrent_jobs = f.max_concurrent_jobs;
  c.api.max_products_per_job = f.max_products_per_job;
  c.live.send_queue_bytes = f.ws_send_queue_bytes;
  c.live.idle_timeout = std::chrono::seconds(f.ws_idle_timeout_s);
  c.live.max_message_bytes = f.ws_max_message_bytes;
  c.http.max_body_bytes = f.max_body_bytes;
  c.http.max_header_bytes = f.max_header_bytes;
  c.http.header_timeout = std::chrono::seconds(f.header_timeout_s);
  c.http.max_connections = f.max_connections;
  return c;
}

int run_service(const ServiceFlags& flags,
                const std::function<void(training::TrainingService&, unsigned short)>& on_ready) {
  spdlog::set_default_logger(spdlog::stderr_color_mt("levain"));
  spdlog::set_level(spdlog::level::from_str(flags.log_level));
  // Handlers go in before anything listens, so a signal sent as soon as we are up is not lost.
  boost::asio::io_context signals_ioc;
  boost::asio::signal_set signals(signals_ioc, SIGINT, SIGTERM);
  signals.async_wait([](const boost::system::error_code&, int sig) {
    spdlog::info("received signal {}: shutting down", sig);
  });
  training::TrainingService service(to_service_config(flags));
  const auto ep = service.start();
  std::cout << "levain: listening on " << ep.address().to_string() << ':' << ep.port() << std::endl;
  spdlog::info("training service listening on {}:{} (data in {})", ep.address().to_string(),
               ep.port(), flags.data_dir);
  if (on_ready) on_ready(service, ep.port());
  signals_ioc.run();
  service.stop();
  return 0;
}

}  // namespace levain::cli
