#pragma once
/// Why a server could not listen, worded for the person who chose the address: the caller adds
/// which flag sets it (it alone knows), so no Boost location text reaches a terminal.

#include <stdexcept>

namespace levain::common::http {

/// Thrown by HttpServer::listen, e.g. "127.0.0.1:8080 is already in use (another process?)".
class ListenError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace levain::common::http
