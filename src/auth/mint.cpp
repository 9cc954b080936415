#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <limits>
#include <stdexcept>

#include "auth/jwt_handle.hpp"
#include "auth/token.hpp"

namespace levain::auth {
namespace {

boost::json::array to_json_array(const std::vector<std::string>& items) {
  boost::json::array array;
  for (const std::string& item : items) array.emplace_back(item);
  return array;
}

void check(int rc, const char* step) {
  if (rc != 0) throw std::runtime_error(std::string("could not mint token: ") + step + " failed");
}

}  // namespace

std::string mint_hs256(const MintRequest& request, std::string_view secret) {
  if (secret.empty()) throw std::invalid_argument("cannot mint a token with an empty secret");
  if (secret.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    throw std::invalid_argument("cannot mint a token: the secret is too large");
  }
  if (request.ttl <= std::chrono::seconds::zero()) {
    throw std::invalid_argument("cannot mint a token with a non-positive lifetime");
  }
  const std::int64_t issued_at =
      std::chrono::duration_cast<std::chrono::seconds>(request.now.time_since_epoch()).count();
  if (request.ttl.count() > std::numeric_limits<std::int64_t>::max() - issued_at) {
    throw std::invalid_argument("cannot mint a token: the lifetime is too long");
  }

  boost::json::object claims;
  claims["sub"] = request.subject;
  claims["tenants"] = to_json_array(request.tenants);
  if (!request.roles.empty()) claims["roles"] = to_json_array(request.roles);
  claims["iat"] = issued_at;
  claims["exp"] = issued_at + request.ttl.count();
  if (!request.issuer.empty()) claims["iss"] = request.issuer;
  if (!request.audience.empty()) claims["aud"] = request.audience;

  jwt_t* raw = nullptr;
  check(jwt_new(&raw), "jwt_new");
  detail::JwtPtr jwt(raw);
  check(jwt_add_grants_json(jwt.get(), boost::json::serialize(claims).c_str()), "adding claims");
  check(jwt_set_alg(jwt.get(), JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(secret.data()),
                    static_cast<int>(secret.size())),
        "setting the key");
  detail::MallocString token(jwt_encode_str(jwt.get()));
  if (!token) throw std::runtime_error("could not mint token: encoding failed");
  return std::string(token.get());
}

}  // namespace levain::auth
