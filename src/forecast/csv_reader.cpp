#include "forecast/csv_reader.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <system_error>

namespace levain::forecast {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

CsvReader::CsvReader(std::string_view body, std::size_t max_line_bytes)
    : body_(body), max_line_bytes_(max_line_bytes) {
  if (body_.substr(0, 3) == "\xEF\xBB\xBF") body_.remove_prefix(3);
}

bool CsvReader::next(CsvRecord& out) {
  while (pos_ < body_.size()) {
    const std::size_t end = body_.find('\n', pos_);
    const std::size_t stop = end == std::string_view::npos ? body_.size() : end;
    std::string_view line = body_.substr(pos_, stop - pos_);
    pos_ = end == std::string_view::npos ? body_.size() : end + 1;
    ++line_;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (trim(line).empty()) continue;
    out.line = line_;
    out.fields.clear();
    out.error.clear();
    if (line.size() > max_line_bytes_) {
      out.error = "line longer than " + std::to_string(max_line_bytes_) + " bytes";
    } else {
      out.error = split_csv_line(line, out.fields);
    }
    return true;
  }
  return false;
}

std::string split_csv_line(std::string_view line, std::vector<std::string>& fields) {
  fields.clear();
  std::size_t i = 0;
  while (true) {
    while (i < line.size() && is_blank(line[i])) ++i;
    std::string field;
    if (i < line.size() && line[i] == '"') {
      ++i;
      bool closed = false;
      while (i < line.size()) {
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field.push_back('"');
            i += 2;
            continue;
          }
          closed = true;
          ++i;
          break;
        }
        field.push_back(line[i++]);
      }
      if (!closed) return "unterminated quoted field";
      while (i < line.size() && is_blank(line[i])) ++i;
      if (i < line.size() && line[i] != ',') return "unexpected character after a closing quote";
    } else {
      const std::size_t comma = line.find(',', i);
      const std::size_t stop = comma == std::string_view::npos ? line.size() : comma;
      const std::string_view raw = trim(line.substr(i, stop - i));
      if (raw.find('"') != std::string_view::npos) {
        return "stray quote inside an unquoted field";
      }
      field.assign(raw);
      i = stop;
    }
    fields.push_back(std::move(field));
    if (i >= line.size()) return "";
    ++i;  // the comma
  }
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string name_problem(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) return "contains control characters";
    std::size_t len = 0;
    std::uint32_t min = 0;
    if (c < 0x80) {
      len = 1;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      min = 0x10000;
    } else {
      return "is not valid UTF-8";
    }
    if (i + len > s.size()) return "is not valid UTF-8";
    std::uint32_t cp = len == 1 ? c : (c & (0x7F >> len));
    for (std::size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return "is not valid UTF-8";
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (len > 1 && (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))) {
      return "is not valid UTF-8";
    }
    i += len;
  }
  return "";
}

std::string parse_number(std::string_view s, double& out) {
  if (s.empty()) return "is empty";
  std::string_view digits = s;
  if (digits.front() == '+') digits.remove_prefix(1);
  const auto lower = ascii_lower(digits);
  if (lower.find("nan") != std::string::npos || lower.find("inf") != std::string::npos) {
    return "is not a finite number";
  }
  if (lower.find('x') != std::string::npos) return "is not a number";
  const char* first = digits.data();
  const char* last = first + digits.size();
  const auto [ptr, ec] = std::from_chars(first, last, out, std::chars_format::general);
  if (ec == std::errc::result_out_of_range) return "is out of range";
  if (ec != std::errc{} || ptr != last) return "is not a number";
  if (!std::isfinite(out)) return "is not a finite number";
  return "";
}

void append_csv_field(std::string& out, std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos && trim(s) == s) {
    out.append(s);
    return;
  }
  out.push_back('"');
  for (char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

}  // namespace levain::forecast
