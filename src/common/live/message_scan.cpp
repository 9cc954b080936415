#include "common/live/message_scan.hpp"

#include <charconv>

namespace levain::common::live {
namespace {

class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool eat(char c) {
    skip_space();
    if (pos_ >= text_.size() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }
  bool peek(char c) {
    skip_space();
    return pos_ < text_.size() && text_[pos_] == c;
  }

  /// At an opening quote: returns the raw contents and moves past the closing quote.
  std::optional<std::string_view> string() {
    if (!eat('"')) return std::nullopt;
    const std::size_t start = pos_;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '\\') {
        pos_ += 2;
        continue;
      }
      if (c == '"') {
        const auto contents = text_.substr(start, pos_ - start);
        ++pos_;
        return contents;
      }
      ++pos_;
    }
    return std::nullopt;
  }

  /// A number, literal, string, object or array: moved over without interpretation. Returns the
  /// raw text of a scalar (or the string's contents), nullopt when the text ends inside it.
  std::optional<std::string_view> value() {
    skip_space();
    if (pos_ >= text_.size()) return std::nullopt;
    const char first = text_[pos_];
    if (first == '"') return string();
    if (first == '{' || first == '[') return nested();
    const std::size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '}' && text_[pos_] != ']' &&
           text_[pos_] != ' ' && text_[pos_] != '\n' && text_[pos_] != '\r' &&
           text_[pos_] != '\t') {
      ++pos_;
    }
    if (pos_ == start) return std::nullopt;
    return text_.substr(start, pos_ - start);
  }

 private:
  std::optional<std::string_view> nested() {
    const std::size_t start = pos_;
    std::size_t depth = 0;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '"') {
        if (!string()) return std::nullopt;
        continue;
      }
      if (c == '{' || c == '[') ++depth;
      if (c == '}' || c == ']') {
        --depth;
        if (depth == 0) {
          ++pos_;
          return text_.substr(start, pos_ - start);
        }
      }
      ++pos_;
    }
    return std::nullopt;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

std::optional<std::uint64_t> to_unsigned(std::string_view raw) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), value);
  if (ec != std::errc() || end != raw.data() + raw.size()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<MessageHeader> scan_header(std::string_view text) {
  Scanner in(text);
  if (!in.eat('{')) return std::nullopt;
  MessageHeader header;
  bool have_type = false, have_seq = false, have_timestamp = false;
  if (in.eat('}')) return header;
  for (;;) {
    const auto key = in.string();
    if (!key || !in.eat(':')) return std::nullopt;
    const bool is_string = in.peek('"');
    const auto raw = in.value();
    if (!raw) return std::nullopt;
    if (*key == "type" && !have_type) {
      have_type = true;
      if (is_string) header.type = *raw;
    } else if (*key == "seq" && !have_seq) {
      have_seq = true;
      if (!is_string) header.seq = to_unsigned(*raw);
    } else if (*key == "timestamp" && !have_timestamp) {
      have_timestamp = true;
      if (is_string) header.timestamp = *raw;
    }
    if (have_type && have_seq && have_timestamp) return header;
    if (in.eat(',')) continue;
    if (in.eat('}')) return header;
    return std::nullopt;
  }
}

}  // namespace levain::common::live
