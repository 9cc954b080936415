#pragma once
/// A real HTTP/1.1 server on 127.0.0.1 (port 0), one request per connection, answered by the
/// test's handler on the server's thread: what plays a tenant's webhook endpoint or an identity
/// provider's JWKS URL.

#include <functional>
#include <map>
#include <memory>
#include <string>

namespace levain::integration {

struct LocalRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

struct LocalReply {
  int status = 200;
  std::string body;
  std::string content_type;
};

class LocalHttpServer {
 public:
  using Handler = std::function<LocalReply(const LocalRequest&)>;
  explicit LocalHttpServer(Handler handler);
  ~LocalHttpServer();
  LocalHttpServer(const LocalHttpServer&) = delete;
  LocalHttpServer& operator=(const LocalHttpServer&) = delete;

  std::uint16_t port() const { return port_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::uint16_t port_ = 0;
};

}  // namespace levain::integration
