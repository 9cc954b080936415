#include "common/live/sse_parser.hpp"

namespace levain::common::live {

bool SseParser::feed(std::string_view bytes, std::vector<SseEvent>& out) {
  while (!bytes.empty()) {
    if (after_cr_) {
      after_cr_ = false;
      if (bytes.front() == '\n') {  // CRLF: the CR ended the line already
        bytes.remove_prefix(1);
        continue;
      }
    }
    const auto end = bytes.find_first_of("\r\n");
    const auto taken = end == std::string_view::npos ? bytes.size() : end;
    if (partial_.size() + taken > max_line_) return false;
    if (end == std::string_view::npos) {
      partial_.append(bytes);
      return true;
    }
    if (partial_.empty()) {
      line(bytes.substr(0, end), out);  // the usual case: a whole line in one read, no copy
    } else {
      partial_.append(bytes.substr(0, end));
      line(partial_, out);
      partial_.clear();
    }
    after_cr_ = bytes[end] == '\r';
    bytes.remove_prefix(end + 1);
  }
  return true;
}

void SseParser::line(std::string_view text, std::vector<SseEvent>& out) {
  if (text.empty()) {
    if (has_data_) out.push_back(std::move(current_));
    current_ = {};
    has_data_ = false;
    return;
  }
  if (text.front() == ':') {
    ++comments_;
    return;
  }
  const auto colon = text.find(':');
  const auto field = text.substr(0, colon);
  auto value = colon == std::string_view::npos ? std::string_view{} : text.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (field == "data") {
    if (has_data_) current_.data += '\n';
    current_.data += value;
    has_data_ = true;
  } else if (field == "event") {
    current_.event = value;
  } else if (field == "id") {
    current_.id = value;
  }
}

}  // namespace levain::common::live
