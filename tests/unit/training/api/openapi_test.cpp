// The OpenAPI document (docs/openapi.json) and the router's table describe the same API: every
// path and method of one is in the other, and the served document is the file as written.
#include "common/http/openapi.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <set>
#include <sstream>

#include "training/api/router.hpp"

namespace levain::training::api {
namespace {

using Operation = std::pair<std::string, std::string>;  // path, lower-case method

std::string lower(std::string_view method) {
  std::string out(method);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

boost::json::object document() {
  const auto v = boost::json::parse(common::http::openapi_document());
  return v.as_object();
}

TEST(OpenApi, TheDocumentAndTheRouteTableListTheSameOperations) {
  const auto doc = document();
  std::set<Operation> documented;
  for (const auto& [path, item] : doc.at("paths").as_object()) {
    // The gateway's own doors (the dashboard's files) are not the service's routes.
    if (const auto* door = item.as_object().if_contains("x-levain-served-by");
        door && *door == "gateway") {
      continue;
    }
    for (const auto& [key, op] : item.as_object()) {
      static const std::set<std::string> kMethods = {"get",   "put",  "post",   "delete",
                                                     "patch", "head", "options"};
      if (kMethods.contains(std::string(key)))
        documented.insert({std::string(path), std::string(key)});
    }
  }
  std::set<Operation> routed;
  for (const RouteSpec& spec : route_table()) {
    for (const auto method : spec.methods) {
      routed.insert({std::string(spec.path), lower(boost::beast::http::to_string(method))});
    }
  }
  for (const auto& op : routed) {
    EXPECT_TRUE(documented.contains(op)) << op.second << " " << op.first << " is not documented";
  }
  for (const auto& op : documented) {
    EXPECT_TRUE(routed.contains(op))
        << op.second << " " << op.first << " is documented, not routed";
  }
}

TEST(OpenApi, IsOpenApi31WithTheErrorShapeAndIsServedAsWritten) {
  const auto doc = document();
  EXPECT_EQ(doc.at("openapi").as_string().subview().substr(0, 4), "3.1.");
  EXPECT_TRUE(doc.at("components").as_object().at("schemas").as_object().contains("Error"));
  std::ifstream file(LEVAIN_SOURCE_DIR "/docs/openapi.json", std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  EXPECT_EQ(text.str(), common::http::openapi_document());
  const auto res = common::http::openapi_response();
  EXPECT_EQ(res[boost::beast::http::field::content_type], "application/json");
}

}  // namespace
}  // namespace levain::training::api
