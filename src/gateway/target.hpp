#pragma once
/// What a request target means to the gateway. It knows only the edges of the contract (the
/// tenant prefix, the live suffix, its own probes); every other path under /api/v1 is the
/// replicas' business. Pure, so it is unit-tested and fuzzed without a server.

#include <boost/beast/http/verb.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace levain::gateway {

enum class TargetKind {
  healthz,
  readyz,
  metrics,
  openapi,      // /api/v1/openapi.json: the same document the replicas serve
  api,          // /api/v1/tenants/{tenant}/...: verified, then proxied
  live,         // /api/v1/tenants/{tenant}/training/jobs/{job}/live: the WebSocket
  api_unknown,  // /api/... outside the tenant tree: answered 404 here
  static_file,  // anything else: a file under --web-root
  bad,          // not an origin-form target, undecodable, or a bad tenant id
};

struct Target {
  TargetKind kind = TargetKind::bad;
  std::string tenant;
  std::vector<std::string> segments;  // the decoded path, one entry per segment
  std::string token;                  // the decoded ?token= value, if any
  std::string error;                  // why the target is bad
};

Target classify(std::string_view target);

/// Whether the request changes state and so needs the `trainer` role (upload sales, start or
/// cancel a job, replace the holiday calendar): every write under the tenant tree.
bool is_write(boost::beast::http::verb method);

}  // namespace levain::gateway
