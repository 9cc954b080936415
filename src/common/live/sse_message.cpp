#include "common/live/sse_message.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "common/json_text.hpp"

namespace levain::common::live {

namespace {

void append_data_lines(std::string& out, std::string_view payload) {
  while (true) {
    const auto cut = payload.find_first_of("\r\n");
    out += "data: ";
    out += payload.substr(0, cut);
    out += '\n';
    if (cut == std::string_view::npos) return;
    const auto skip = payload.substr(cut, 2) == "\r\n" ? 2 : 1;
    payload.remove_prefix(cut + skip);
  }
}

}  // namespace

std::string sse_response_head(std::string_view server, const HeaderLines& extra) {
  std::string head =
      "HTTP/1.1 200 OK\r\n"
      "Content-Type: text/event-stream\r\n"
      "Cache-Control: no-cache, no-transform\r\n"
      "X-Accel-Buffering: no\r\n"
      "Connection: close\r\n"
      "Server: ";
  head += server;
  for (const auto& [name, value] : extra) head += "\r\n" + name + ": " + value;
  head += "\r\n\r\n";
  return head;
}

void append_sse_message(std::string& out, std::uint64_t seq, std::string_view type,
                        std::string_view payload) {
  // seq 0 is a message that is not an event (`watchers`): no id, so Last-Event-ID stays put.
  if (seq != 0) {
    out += "id: ";
    out += std::to_string(seq);
    out += '\n';
  }
  out += "event: ";
  out += type;
  out += '\n';
  append_data_lines(out, payload);
  out += '\n';
}

void append_sse_close(std::string& out, std::uint16_t code, std::string_view reason) {
  boost::json::object data;
  data["code"] = code;
  data["reason"] = reason;
  out += "event: close\n";
  append_data_lines(out, to_json_text(data));
  out += '\n';
}

std::optional<SseClose> parse_sse_close(std::string_view data) {
  boost::system::error_code ec;
  const auto v = boost::json::parse(data, ec);
  const auto* o = ec ? nullptr : v.if_object();
  const auto* code = o ? o->if_contains("code") : nullptr;
  if (!code || !code->is_int64()) return std::nullopt;
  const auto* reason = o->if_contains("reason");
  return SseClose{static_cast<int>(code->get_int64()),
                  reason && reason->is_string() ? std::string(reason->get_string()) : ""};
}

std::size_t sse_message_size(std::uint64_t seq, std::string_view type, std::string_view payload) {
  // id: + digits + \n, event: + type + \n, data: + payload + \n, \n (one data line: ours have no
  // line breaks; a payload with some is a few bytes longer, which the bound does not mind).
  const std::size_t id = seq == 0 ? 0 : 4 + std::to_string(seq).size() + 1;
  return id + 7 + type.size() + 1 + 6 + payload.size() + 1 + 1;
}

}  // namespace levain::common::live
