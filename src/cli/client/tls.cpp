#include "cli/client/tls.hpp"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>
#include <stdexcept>

namespace levain::cli {
namespace {

namespace ssl = boost::asio::ssl;

bool is_ip_literal(const std::string& host) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  return !ec;
}

}  // namespace

ssl::context make_tls_context(const Endpoint& endpoint) {
  ssl::context context(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);  // as the gateway
  context.set_verify_mode(ssl::verify_peer);
  boost::system::error_code ec;
  if (endpoint.ca_file.empty()) {
    context.set_default_verify_paths(ec);
    if (ec) throw std::runtime_error("cannot load the system's CA certificates: " + ec.message());
  } else {
    context.load_verify_file(endpoint.ca_file, ec);
    if (ec) {
      throw std::runtime_error("cannot use --ca-file '" + endpoint.ca_file +
                               "': not a readable PEM file of CA certificates (" + ec.message() +
                               ")");
    }
  }
  return context;
}

void prepare_tls(TlsStream& stream, const Endpoint& endpoint) {
  SSL* handle = stream.native_handle();
  X509_VERIFY_PARAM* param = SSL_get0_param(handle);
  if (is_ip_literal(endpoint.host)) {
    // RFC 6066: no SNI for addresses; the certificate must list the address in its SAN.
    X509_VERIFY_PARAM_set1_ip_asc(param, endpoint.host.c_str());
    return;
  }
  SSL_set_tlsext_host_name(handle, endpoint.host.c_str());
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  X509_VERIFY_PARAM_set1_host(param, endpoint.host.c_str(), 0);
}

TlsFailure describe_tls_failure(const boost::system::error_code& ec, TlsStream& stream,
                                const Endpoint& endpoint) {
  const std::string where = origin(endpoint);
  const long verdict = SSL_get_verify_result(stream.native_handle());
  if (verdict != X509_V_OK) {
    std::string message = "the certificate of " + where +
                          " is not trusted: " + X509_verify_cert_error_string(verdict);
    if (verdict == X509_V_ERR_HOSTNAME_MISMATCH || verdict == X509_V_ERR_IP_ADDRESS_MISMATCH) {
      message += " (it does not name " + endpoint.host + "; use the name it was issued for)";
    } else if (endpoint.ca_file.empty()) {
      message += " (for a private CA, pass its certificate with --ca-file ca.pem)";
    } else {
      message += " (it is not signed by a CA in --ca-file '" + endpoint.ca_file + "')";
    }
    return {message, true};
  }
  // The usual cause when the certificate was never reached: a plain HTTP port.
  return {
      "TLS handshake with " + where + " failed: " + ec.message() + " (is it an http:// server?)",
      false};
}

}  // namespace levain::cli
