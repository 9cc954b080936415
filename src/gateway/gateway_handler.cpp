#include "gateway/gateway_handler.hpp"

#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/json.hpp>

#include "common/close_codes.hpp"
#include "common/http/methods.hpp"
#include "common/http/openapi.hpp"
#include "common/ids.hpp"
#include "gateway/target.hpp"

namespace levain::gateway {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using common::http::Request;
using common::http::Responder;
using common::http::Response;
using common::http::Status;

std::optional<Denial> check_access(const std::optional<std::string>& token,
                                   CachingVerifier& verifier, const std::string& tenant,
                                   bool needs_trainer) {
  if (!token) {
    return Denial{Status::unauthorized, close_code::unauthorized, "unauthorized",
                  "missing token: send Authorization: Bearer <JWT> (or ?token= on WebSockets)"};
  }
  const auto result = verifier.verify(*token, std::chrono::system_clock::now());
  if (!result) {
    return Denial{Status::unauthorized, close_code::unauthorized, "unauthorized", result.message};
  }
  if (!result.claims->grants(tenant)) {
    return Denial{Status::forbidden, close_code::forbidden, "forbidden",
                  "the token does not grant access to tenant '" + tenant + "'"};
  }
  if (needs_trainer && !result.claims->has_role("trainer")) {
    return Denial{Status::forbidden, close_code::forbidden, "forbidden",
                  "this action needs the 'trainer' role, which the token does not have"};
  }
  return std::nullopt;
}

GatewayHandler::GatewayHandler(const GatewayConfig& config, common::IoPool& io,
                               CachingVerifier& verifier, UpstreamPool& pool, RelayRegistry& relays,
                               GatewayMetrics& metrics, common::MetricsRegistry& registry,
                               const StaticFiles* files)
    : config_(config),
      io_(io),
      verifier_(verifier),
      registry_(registry),
      metrics_(metrics),
      files_(files),
      cors_(config.cors_origins),
      proxy_{pool, config, metrics_},
      ws_{pool, config, metrics_, relays},
      tls_(!config.tls_cert_file.empty()) {}

void GatewayHandler::handle(Request&& req, Responder respond) {
  // A browser's preflight carries no token by design: it is answered here, never forwarded.
  if (CorsPolicy::is_preflight(req)) return respond(cors_.preflight(req));
  if (const auto origin = req[http::field::origin]; !origin.empty() && cors_.allows(origin)) {
    respond = [respond = std::move(respond), origin = std::string(origin)](Response&& res) {
      allow_origin(res, origin);
      respond(std::move(res));
    };
  }
  route(std::move(req), std::move(respond));
}

void GatewayHandler::route(Request&& req, Responder respond) {
  const unsigned version = req.version();
  const bool keep_alive = req.keep_alive();
  const auto target = classify(req.target());
  // What the gateway answers itself is read-only, like the replica's probes.
  static const common::http::Methods kLocal = {http::verb::get};
  const bool local = target.kind == TargetKind::healthz || target.kind == TargetKind::readyz ||
                     target.kind == TargetKind::metrics || target.kind == TargetKind::openapi ||
                     (target.kind == TargetKind::static_file && files_ != nullptr);
  if (local && !common::http::method_allowed(req.method(), kLocal)) {
    return respond(common::http::method_not_allowed(
        req.method_string(), common::http::allow_header(kLocal), version, keep_alive));
  }
  switch (target.kind) {
    case TargetKind::healthz:
      return respond(
          common::http::json_response(Status::ok, {{"status", "ok"}}, version, keep_alive));
    case TargetKind::readyz:
      return readyz(req, std::move(respond));
    case TargetKind::metrics:
      return respond(common::http::text_response(Status::ok, registry_.render(),
                                                 "text/plain; version=0.0.4", version, keep_alive));
    case TargetKind::openapi:
      return respond(common::http::openapi_response(version, keep_alive));
    case TargetKind::static_file:
      if (files_ == nullptr) break;
      return respond(files_->serve(req.method(), target.segments, version, keep_alive));
    case TargetKind::bad:
      return respond(common::http::error_response(Status::bad_request, "bad_target", target.error,
                                                  version, keep_alive));
    case TargetKind::api_unknown:
      break;
    case TargetKind::api:
    case TargetKind::live: {
      // REST carries its token in the Authorization header only: a token in a URL ends up in
      // logs and browser history, which is tolerated for WebSockets because browsers leave no
      // other way.
      const auto token = auth::extract_token(req[http::field::authorization], "");
      if (auto denial = check_access(token, verifier_, target.tenant, is_write(req.method()))) {
        (denial->status == Status::forbidden ? metrics_.refused_forbidden
                                             : metrics_.refused_unauthorized)
            .inc();
        return respond(common::http::error_response(denial->status, denial->code, denial->message,
                                                    version, keep_alive));
      }
      ForwardOptions opts;
      opts.request_id = common::http::request_id_of(req);
      opts.tls = tls_;
      return forward_rest(io_.next().get_executor(), proxy_, std::move(req), std::move(opts),
                          std::move(respond));
    }
  }
  respond(common::http::error_response(Status::not_found, "not_found", "no such endpoint", version,
                                       keep_alive));
}

void GatewayHandler::readyz(const Request& req, Responder respond) {
  Request probe{http::verb::get, "/readyz", 11};
  probe.set(http::field::host, "levain-gateway");
  ForwardOptions opts;
  opts.request_id = common::http::request_id_of(req);
  opts.until_success = true;
  const unsigned version = req.version();
  const bool keep_alive = req.keep_alive();
  forward_rest(io_.next().get_executor(), proxy_, std::move(probe), std::move(opts),
               [respond = std::move(respond), version, keep_alive](Response&& res) {
                 const bool ready = res.result_int() / 100 == 2;
                 boost::json::object body{{"status", ready ? "ready" : "not ready"}};
                 if (!ready) body["reason"] = "no training replica is ready";
                 respond(common::http::json_response(
                     ready ? Status::ok : Status::service_unavailable, body, version, keep_alive));
               });
}

bool GatewayHandler::takes_over(const Request& request) const {
  return classify(request.target()).kind == TargetKind::live && request.method() == http::verb::get;
}

RelayRequest GatewayHandler::relay_request(Request&& req, common::http::SlotPtr slot,
                                           std::string client_address) {
  const auto target = classify(req.target());
  const auto token = auth::extract_token(req[http::field::authorization], target.token);
  RelayRequest out;
  if (auto denial = check_access(token, verifier_, target.tenant, false)) {
    (denial->status == Status::forbidden ? metrics_.refused_forbidden
                                         : metrics_.refused_unauthorized)
        .inc();
    out.refusal = common::live::Refusal{denial->close_code, denial->message};
  }
  // A page elsewhere reads an event stream only with the CORS headers, as a REST answer.
  if (const auto origin = req[http::field::origin]; !origin.empty() && cors_.allows(origin)) {
    out.stream_headers = cors_headers(origin);
  }
  out.request_id = common::http::request_id_of(req);
  out.request = std::move(req);
  out.slot = std::move(slot);
  out.client_address = std::move(client_address);
  return out;
}

namespace {
template <class Stream>
std::string peer_of(Stream& stream) {
  beast::error_code ec;
  const auto ep = beast::get_lowest_layer(stream).socket().remote_endpoint(ec);
  return ec ? std::string() : ep.address().to_string();
}
}  // namespace

void GatewayHandler::take_over(beast::tcp_stream&& stream, Request&& request,
                               common::http::SlotPtr slot) {
  auto peer = peer_of(stream);
  start_relay(std::move(stream), relay_request(std::move(request), std::move(slot), peer), ws_);
}

void GatewayHandler::take_over(common::http::TlsStream&& stream, Request&& request,
                               common::http::SlotPtr slot) {
  auto peer = peer_of(stream);
  start_relay(std::move(stream), relay_request(std::move(request), std::move(slot), peer), ws_);
}

}  // namespace levain::gateway
