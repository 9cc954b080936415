#include "common/json_text.hpp"

#include <fmt/format.h>

#include <boost/json/serialize.hpp>
#include <cmath>

#include "common/utf8.hpp"

namespace levain::common {

namespace {

// Boost's serializer copies string bytes through unchecked, so one stray byte echoed from a
// request (a CSV cell, a query parameter) would make the whole answer invalid JSON (RFC 8259
// §8.1 requires UTF-8). Strings are therefore written here, replacing each ill-formed part.
void append_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    const auto step = utf8_step(s, i);
    if (!step.valid) {
      out += "\\ufffd";
      i += step.length;
      continue;
    }
    if (step.length > 1) {
      out.append(s.substr(i, step.length));
      i += step.length;
      continue;
    }
    const auto c = static_cast<unsigned char>(s[i++]);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

void append(std::string& out, const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, item] : v.get_object()) {
        if (!first) out += ',';
        first = false;
        append_string(out, key);
        out += ':';
        append(out, item);
      }
      out += '}';
      return;
    }
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& item : v.get_array()) {
        if (!first) out += ',';
        first = false;
        append(out, item);
      }
      out += ']';
      return;
    }
    case boost::json::kind::string:
      append_string(out, v.get_string());
      return;
    case boost::json::kind::double_: {
      const double d = v.get_double();
      out += std::isfinite(d) ? fmt::format("{}", d) : "null";
      return;
    }
    default:
      out += boost::json::serialize(v);  // integers, bools, null
  }
}

}  // namespace

std::string to_json_text(const boost::json::value& value) {
  std::string out;
  append(out, value);
  return out;
}

}  // namespace levain::common
