// The TLS instantiation of the relay, apart from the plain one so they compile in parallel.

#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "gateway/live_relay_impl.hpp"

namespace levain::gateway {

void start_relay(common::http::TlsStream&& client, RelayRequest&& request,
                 const RelayContext& context) {
  detail::start(std::move(client), std::move(request), context);
}

}  // namespace levain::gateway
