#pragma once
/// Path-based access into JSON replies ("data/snapshot/seq"). A missing field or a field of the
/// wrong kind throws with the path and the whole document, which GoogleTest reports as a clear
/// failure instead of a bare "out of range".

#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace levain::integration {

const boost::json::value* find(const boost::json::value& root, std::string_view path);
const boost::json::value& at(const boost::json::value& root, std::string_view path);
bool has(const boost::json::value& root, std::string_view path);
std::int64_t int_at(const boost::json::value& root, std::string_view path);
double num_at(const boost::json::value& root, std::string_view path);
std::string str_at(const boost::json::value& root, std::string_view path);
bool bool_at(const boost::json::value& root, std::string_view path);
const boost::json::array& arr_at(const boost::json::value& root, std::string_view path);
std::string dump(const boost::json::value& v, std::size_t max_chars = 2000);

}  // namespace levain::integration
