// The TLS instantiation of the bridge, apart from the plain one so they compile in parallel.

#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "gateway/ws_bridge.hpp"

namespace levain::gateway {

void start_bridge(common::http::TlsStream&& client, BridgeRequest&& request,
                  const WsContext& context) {
  detail::start(std::move(client), std::move(request), context);
}

}  // namespace levain::gateway
