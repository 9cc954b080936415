#include "forecast/csv_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <system_error>

#include "common/utf8.hpp"

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
  for (std::size_t pos = 0; pos < body_.size();) {
    const std::size_t end = std::min(body_.find('\n', pos), body_.size());
    const std::string_view line = body_.substr(pos, std::min(end - pos, max_line_bytes_));
    if (!trim(line).empty()) {
      separator_ = detect_separator(line);
      break;
    }
    pos = end + 1;
  }
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
      out.error = split_csv_line(line, out.fields, separator_);
    }
    return true;
  }
  return false;
}

char detect_separator(std::string_view header_line) {
  std::size_t commas = 0;
  std::size_t semicolons = 0;
  std::size_t tabs = 0;
  bool quoted = false;
  for (const char c : header_line) {
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    commas += c == ',';
    semicolons += c == ';';
    tabs += c == '\t';
  }
  if (semicolons > commas && semicolons >= tabs) return ';';
  if (tabs > commas && tabs > semicolons) return '\t';
  return ',';
}

std::string separator_name(char separator) {
  return separator == '\t' ? std::string("tab") : std::string{'\'', separator, '\''};
}

std::string header_as_read(const CsvRecord& header, char separator) {
  constexpr std::size_t kShown = 8;
  std::string out = "the header uses " + separator_name(separator) + " and its ";
  out += header.fields.size() == 1 ? "only column is " : "columns are ";
  for (std::size_t i = 0; i < header.fields.size() && i < kShown; ++i) {
    out += (i > 0 ? ", '" : "'") + header.fields[i] + "'";
  }
  if (header.fields.size() > kShown) out += ", ...";
  if (header.fields.size() == 1) out += " (separate the columns with ',' or ';')";
  return out;
}

std::string encoding_problem(std::string_view body) {
  const bool utf16_bom = body.substr(0, 2) == "\xFF\xFE" || body.substr(0, 2) == "\xFE\xFF";
  if (utf16_bom || body.substr(0, 4096).find('\0') != std::string_view::npos) {
    return "the body is UTF-16 text (or holds NUL bytes), not UTF-8: save the file as "
           "'CSV UTF-8' and upload it again";
  }
  return "";
}

std::string split_csv_line(std::string_view line, std::vector<std::string>& fields,
                           char separator) {
  fields.clear();
  std::size_t i = 0;
  while (true) {
    while (i < line.size() && is_blank(line[i]) && line[i] != separator) ++i;
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
      while (i < line.size() && is_blank(line[i]) && line[i] != separator) ++i;
      if (i < line.size() && line[i] != separator) {
        return "unexpected character after a closing quote";
      }
    } else {
      const std::size_t comma = line.find(separator, i);
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
    ++i;  // the separator
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
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7F) return "contains control characters";
  }
  // Excel's plain "CSV" format writes Windows-1252, whose accented letters are not UTF-8.
  if (!common::valid_utf8(s)) return "is not valid UTF-8 (save the file as 'CSV UTF-8')";
  return "";
}

std::string parse_number(std::string_view s, double& out, bool decimal_comma) {
  if (s.empty()) return "is empty";
  const std::size_t comma = s.find(',');
  std::string with_point;
  if (comma != std::string_view::npos) {
    if (!decimal_comma) {
      return "is not a number (a decimal comma is read only in files separated by ';')";
    }
    if (s.find('.') != std::string_view::npos || s.find(',', comma + 1) != std::string_view::npos) {
      return "is not a number (write it without a thousands separator, as 1234,5)";
    }
    with_point.assign(s);
    with_point[comma] = '.';
    s = with_point;
  }
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
