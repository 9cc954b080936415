#include "loadgen/bench.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>

#include "auth/token.hpp"
#include "cli/client/endpoint.hpp"
#include "common/json_text.hpp"
#include "loadgen/job_api.hpp"
#include "loadgen/proc_stats.hpp"
#include "loadgen/report.hpp"
#include "loadgen/watchers.hpp"

namespace levain::loadgen {
namespace {

// Descriptors the process needs besides its sockets: stdio, the resolver, REST calls, epoll.
constexpr std::uint64_t kSpareFds = 32;

std::string validate(const BenchOptions& o) {
  if (o.tenant.empty()) return "--tenant is required";
  if (o.token.empty() == o.secret.empty()) return "give exactly one of --token and --secret";
  if ((o.products > 0) == !o.job.empty()) return "give exactly one of --products P and --job J";
  if (o.gate && o.products == 0)
    return "--gate goes with --products (use --release-job with --job)";
  if (!o.release_jobs.empty() && o.job.empty()) return "--release-job goes with --job";
  if (o.clients < 1) return "--clients must be at least 1";
  if (o.products < 0 || o.products > 5000) return "--products must be 1..5000";
  if (o.days < 1 || o.days > 20000) return "--days must be 1..20000";
  if (o.source_ips < 0 || o.source_ips > 254) return "--source-ips must be 0..254";
  if (o.concurrency < 1) return "--concurrency must be at least 1";
  if (o.connect_rate < 0) return "--connect-rate must not be negative";
  if (o.timeout_s < 1 || o.timeout_s > 3600) return "--timeout must be 1..3600 seconds";
  if (o.hold_s < 0 || o.hold_s > 3600) return "--hold must be 0..3600 seconds";
  if (o.threads < 1 || o.threads > 64) return "--threads must be 1..64";
  for (const int pid : o.pids) {
    if (pid <= 0) return "--pid must be a process id";
  }
  return {};
}

// What this process and this machine allow, said before the run rather than discovered in it.
void check_limits(const BenchOptions& o, std::ostream& err, std::uint64_t& fd_limit) {
  const FdLimit limit = raise_fd_limit();
  fd_limit = limit.soft;
  if (limit.soft > limit.before) {
    err << "levain bench: raised the open-files limit from " << limit.before << " to " << limit.soft
        << "\n";
  }
  const auto needed = static_cast<std::uint64_t>(o.clients) + kSpareFds;
  if (needed > limit.soft) {
    err << "levain bench: " << o.clients << " clients need about " << needed
        << " file descriptors, but this process may open " << limit.soft
        << " (its hard limit); connections past that fail with 'Too many open files'. Run "
           "several bench processes, or raise the hard limit (as root: ulimit -Hn)\n";
  }
  if (const auto range = local_port_range()) {
    const auto ports = static_cast<std::int64_t>(range->second - range->first + 1);
    const auto sources = std::max(1, o.source_ips);
    if (o.clients > ports * sources) {
      err << "levain bench: " << o.clients << " clients need more than the " << ports
          << " local ports of ip_local_port_range per source address (" << sources
          << " in use): add --source-ips, or widen net.ipv4.ip_local_port_range\n";
    }
  }
}

std::string mint(const BenchOptions& o) {
  auth::MintRequest request;
  request.subject = "levain-bench";
  request.tenants = {o.tenant};
  request.roles = {"trainer"};
  request.ttl = std::chrono::hours(1);
  request.now = std::chrono::system_clock::now();
  return auth::mint_hs256(request, o.secret);
}

// Written whole under a temporary name, then renamed: a script polling for the file never reads
// half of it.
bool write_file_atomically(const std::string& path, const std::string& text) {
  const std::string partial = path + ".partial";
  {
    std::ofstream f(partial, std::ios::trunc);
    f << text;
    if (!f.flush()) return false;
  }
  return std::rename(partial.c_str(), path.c_str()) == 0;
}

bool write_latencies(const std::string& path, const std::vector<std::int64_t>& sorted_us) {
  std::string text;
  text.reserve(sorted_us.size() * 8);
  for (const auto us : sorted_us) {
    text += std::to_string(us);
    text += '\n';
  }
  return write_file_atomically(path, text);
}

void sample(std::vector<ProcessSample>& processes, std::optional<ProcMemory> ProcessSample::*at) {
  for (auto& p : processes) p.*at = read_proc_memory(p.pid);
}

}  // namespace

int run_bench(const BenchOptions& o, std::ostream& out, std::ostream& err) {
  if (const auto problem = validate(o); !problem.empty()) {
    err << "levain bench: " << problem << "\n";
    return 2;
  }
  std::string error;
  const auto endpoint = cli::parse_endpoint(o.url, &error);
  if (!endpoint) {
    err << "levain bench: " << error << "\n";
    return 2;
  }
  if (endpoint->tls) {
    // Its watchers speak plain WebSocket; TLS in the generator would measure its own crypto.
    err << "levain bench: TLS (https://, wss://) is not supported by the load generator: point "
           "it at a replica or at a gateway without --tls-cert\n";
    return 2;
  }
  RunFacts facts;
  check_limits(o, err, facts.fd_limit);
  std::vector<ProcessSample> processes;
  for (const int pid : o.pids) {
    processes.push_back({pid, {}, {}, {}});
    if (!read_proc_memory(pid)) {
      err << "levain bench: cannot read /proc/" << pid << "/status: is " << pid
          << " a running process of this user?\n";
      return 2;
    }
  }

  std::string token;
  try {
    token = o.token.empty() ? mint(o) : o.token;
  } catch (const std::exception& e) {
    err << "levain bench: cannot mint a token: " << e.what() << "\n";
    return 2;
  }
  const JobApi api(*endpoint, o.tenant, token);

  WatchersConfig config;
  config.host = endpoint->host;
  config.port = endpoint->port;
  config.host_header = cli::host_header(*endpoint);
  config.clients = o.clients;
  config.sse = o.sse;
  config.source_ips = o.source_ips;
  config.max_in_flight = o.concurrency;
  config.connect_rate = o.connect_rate;
  config.threads = o.threads;
  config.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(o.timeout_s);
  if (o.hold_s > 0) {
    config.hold = std::chrono::milliseconds(static_cast<std::int64_t>(o.hold_s * 1000));
  }

  std::string job_id = o.job;
  std::vector<std::string> release = o.release_jobs;
  WatcherHooks hooks;
  try {
    if (o.products > 0) {
      err << "levain bench: uploading " << o.products << " demo products × " << o.days << " days\n";
      api.upload_demo(o.products, o.days);
      // The gate job runs first, so ours waits in the queue while every client joins (with a
      // service running one job at a time: --max-concurrent-jobs 1).
      if (o.gate) release.push_back(api.start_job());
      hooks.prepare = [&] {
        job_id = api.start_job();
        err << "levain bench: started job " << job_id << "; upgrading " << o.clients
            << " connections\n";
        return api.live_target(job_id);
      };
    } else {
      config.target = api.live_target(o.job);
    }
  } catch (const std::exception& e) {
    err << "levain bench: " << e.what() << "\n";
    return 2;
  }
  bool released = release.empty();
  const auto release_gate = [&] {
    if (released) return;
    released = true;
    for (const auto& gate : release) {
      try {
        api.cancel(gate);
      } catch (const std::exception& e) {
        err << "levain bench: " << e.what() << "\n";
      }
    }
  };
  hooks.on_joined = [&] {
    sample(processes, &ProcessSample::joined);
    release_gate();
    if (!o.joined_file.empty() && !write_file_atomically(o.joined_file, "joined\n")) {
      err << "levain bench: cannot write --joined-file " << o.joined_file << "\n";
    }
  };

  sample(processes, &ProcessSample::before);
  const WatchersResult run = run_watchers(config, hooks);
  sample(processes, &ProcessSample::after);
  release_gate();
  if (!run.setup_error.empty()) {
    err << "levain bench: " << run.setup_error << "\n";
    return 2;
  }

  // The job's last event bounds what every client should have received: the terminal event a
  // client saw, or the job's seq when the run stopped before the end.
  std::uint64_t final_seq = 0;
  for (const auto& c : run.clients) {
    if (c.ledger.terminal_seq()) final_seq = std::max(final_seq, *c.ledger.terminal_seq());
  }
  if (const auto view = api.read(job_id, &error)) {
    facts.job_status = view->status;
    final_seq = std::max(final_seq, view->seq);
  } else {
    err << "levain bench: " << error << " (counting up to the last seq any client saw)\n";
    for (const auto& c : run.clients) final_seq = std::max(final_seq, c.ledger.last_seq());
  }
  facts.job_id = job_id;
  facts.final_seq = final_seq;
  facts.processes = std::move(processes);
  facts.self = read_proc_memory(static_cast<int>(::getpid()));

  const Report report = build_report(run, std::move(facts));
  const bool latencies_kept =
      o.latency_out.empty() || write_latencies(o.latency_out, report.latencies_us);
  if (!latencies_kept) err << "levain bench: cannot write --latency-out " << o.latency_out << "\n";
  if (o.json) {
    out << common::to_json_text(to_json(report)) << "\n";
  } else {
    print_summary(report, out);
  }
  out.flush();
  if (!report.ok()) return 1;
  return latencies_kept ? 0 : 2;
}

}  // namespace levain::loadgen
