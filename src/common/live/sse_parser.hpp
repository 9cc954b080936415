#pragma once
/// The reading side of sse_message.hpp: bytes of an event stream in, whole messages out, as the
/// HTML standard's "interpret an event stream" does (fields `id`, `event`, `data`; `:` comments;
/// a blank line dispatches; CR, LF and CRLF all end a line). Pure, for the CLI and the load
/// generator; bounded: a line longer than `max_line` is an error, not a growing buffer.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace levain::common::live {

struct SseEvent {
  std::string id;
  std::string event;  // "" when the message named none (EventSource calls it "message")
  std::string data;   // the data lines joined with "\n"
};

class SseParser {
 public:
  explicit SseParser(std::size_t max_line = 64u << 20) : max_line_(max_line) {}

  /// Feeds bytes; the messages they complete are appended to `out`. False once a line went over
  /// the limit (the stream is then unusable).
  bool feed(std::string_view bytes, std::vector<SseEvent>& out);

  std::uint64_t comments() const { return comments_; }

 private:
  void line(std::string_view text, std::vector<SseEvent>& out);

  std::size_t max_line_;
  std::string partial_;  // the line not ended yet
  bool after_cr_ = false;
  SseEvent current_;
  bool has_data_ = false;
  std::uint64_t comments_ = 0;
};

}  // namespace levain::common::live
