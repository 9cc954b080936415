#pragma once
/// TLS for the CLI's https:// and wss:// connections: the server's certificate must chain to a
/// trusted CA (the system's store, or --ca-file for a private CA) and name the host in the URL.
/// Included only by tls.cpp, http.cpp and watch.cpp: the SSL headers are slow to compile.

#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/system/error_code.hpp>
#include <string>

#include "cli/client/endpoint.hpp"

namespace levain::cli {

using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

/// A client context that verifies peers against endpoint.ca_file (or the system's CAs when it
/// is empty). Throws std::runtime_error naming --ca-file when that file cannot be used.
boost::asio::ssl::context make_tls_context(const Endpoint& endpoint);

/// Before the handshake: SNI for host names, and the host name or IP address the certificate
/// must carry (checked by OpenSSL during the handshake).
void prepare_tls(TlsStream& stream, const Endpoint& endpoint);

struct TlsFailure {
  std::string message;
  bool untrusted = false;  // the certificate was refused: retrying cannot help
};

/// Explains a failed handshake: which certificate check failed and how to fix it, or the
/// transport error.
TlsFailure describe_tls_failure(const boost::system::error_code& ec, TlsStream& stream,
                                const Endpoint& endpoint);

}  // namespace levain::cli
