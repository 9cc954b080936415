// The TLS instantiation of the HTTP session, apart from the plain one so they compile in
// parallel.

#include <boost/asio/ssl/context.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "common/http/server_session.hpp"

namespace levain::common::http::detail {

void start_tls_session(tcp::socket&& socket, std::shared_ptr<HttpServer::Shared> shared,
                       net::ssl::context* tls) {
  std::make_shared<Session<TlsStream>>(std::move(socket), std::move(shared), tls)->start();
}

}  // namespace levain::common::http::detail
