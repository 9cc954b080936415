#include "json_access.hpp"

#include <boost/json/serialize.hpp>
#include <stdexcept>

namespace levain::integration {
namespace json = boost::json;

const json::value* find(const json::value& root, std::string_view path) {
  const json::value* cur = &root;
  while (!path.empty()) {
    const auto slash = path.find('/');
    const std::string_view key = path.substr(0, slash);
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
    if (const auto* obj = cur->if_object()) {
      cur = obj->if_contains(key);
    } else if (const auto* arr = cur->if_array()) {
      const std::size_t i = std::stoul(std::string(key));
      cur = i < arr->size() ? &(*arr)[i] : nullptr;
    } else {
      cur = nullptr;
    }
    if (cur == nullptr) return nullptr;
  }
  return cur;
}

const json::value& at(const json::value& root, std::string_view path) {
  const auto* v = find(root, path);
  if (v == nullptr) {
    throw std::runtime_error("JSON field '" + std::string(path) + "' missing in " + dump(root));
  }
  return *v;
}

bool has(const json::value& root, std::string_view path) { return find(root, path) != nullptr; }

std::int64_t int_at(const json::value& root, std::string_view path) {
  const auto& v = at(root, path);
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64()) return static_cast<std::int64_t>(v.get_uint64());
  throw std::runtime_error("JSON field '" + std::string(path) + "' is not an integer in " +
                           dump(root));
}

double num_at(const json::value& root, std::string_view path) {
  const auto& v = at(root, path);
  if (v.is_number()) return v.to_number<double>();
  throw std::runtime_error("JSON field '" + std::string(path) + "' is not a number in " +
                           dump(root));
}

std::string str_at(const json::value& root, std::string_view path) {
  const auto& v = at(root, path);
  if (v.is_string()) return std::string(v.get_string());
  throw std::runtime_error("JSON field '" + std::string(path) + "' is not a string in " +
                           dump(root));
}

bool bool_at(const json::value& root, std::string_view path) {
  const auto& v = at(root, path);
  if (v.is_bool()) return v.get_bool();
  throw std::runtime_error("JSON field '" + std::string(path) + "' is not a boolean in " +
                           dump(root));
}

const json::array& arr_at(const json::value& root, std::string_view path) {
  const auto& v = at(root, path);
  if (v.is_array()) return v.get_array();
  throw std::runtime_error("JSON field '" + std::string(path) + "' is not an array in " +
                           dump(root));
}

std::string dump(const json::value& v, std::size_t max_chars) {
  std::string s = json::serialize(v);
  return s.size() > max_chars ? s.substr(0, max_chars) + "..." : s;
}

}  // namespace levain::integration
