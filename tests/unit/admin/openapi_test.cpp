// The embedded OpenAPI document and the admin route table agree: every served route is
// documented, every documented operation is served, and the document is well formed (valid
// JSON, OpenAPI 3.1, every $ref resolves, every path parameter declared).

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "admin/routes.h"

namespace plinth::admin {
namespace {

namespace json = boost::json;

const std::set<std::string>& http_methods() {
  static const std::set<std::string> kMethods = {"get",   "put",     "post", "delete",
                                                 "patch", "options", "head", "trace"};
  return kMethods;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

// The document, parsed once; a parse failure fails the calling test with the error.
const json::value& document() {
  static const json::value kDoc = [] {
    boost::system::error_code ec;
    json::value v = json::parse(openapi_document(), ec);
    return ec ? json::value(nullptr) : v;
  }();
  return kDoc;
}

const json::object& paths() {
  static const json::object kEmpty;
  const auto* doc = document().if_object();
  if (doc == nullptr) return kEmpty;
  const auto* p = doc->if_contains("paths");
  return p != nullptr && p->is_object() ? p->get_object() : kEmpty;
}

// Every documented (METHOD, path) pair.
std::vector<std::pair<std::string, std::string>> documented_operations() {
  std::vector<std::pair<std::string, std::string>> ops;
  for (const auto& [path, item] : paths()) {
    if (!item.is_object()) continue;
    for (const auto& [key, op] : item.get_object()) {
      if (http_methods().contains(std::string(key))) {
        ops.emplace_back(upper(key), std::string(path));
      }
    }
  }
  return ops;
}

// "{model}" names in a path pattern.
std::vector<std::string> template_names(std::string_view pattern) {
  std::vector<std::string> names;
  for (std::size_t open = pattern.find('{'); open != std::string_view::npos;
       open = pattern.find('{', open + 1)) {
    const std::size_t close = pattern.find('}', open);
    if (close == std::string_view::npos) break;
    names.emplace_back(pattern.substr(open + 1, close - open - 1));
  }
  return names;
}

// Follows a local "$ref" ("#/components/...") to what it names; nullptr when it does not
// resolve (or is not local).
const json::value* resolve(std::string_view ref) {
  if (!ref.starts_with("#")) return nullptr;
  boost::system::error_code ec;
  const json::value* target = document().find_pointer(ref.substr(1), ec);
  return ec ? nullptr : target;
}

// A parameter object, following its $ref.
const json::object* parameter(const json::value& v) {
  const json::value* p = &v;
  if (const auto* o = v.if_object()) {
    if (const auto* r = o->if_contains("$ref"); r != nullptr && r->is_string()) {
      p = resolve(r->get_string());
    }
  }
  return p != nullptr ? p->if_object() : nullptr;
}

void collect_refs(const json::value& v, const std::string& where,
                  std::vector<std::pair<std::string, std::string>>& out) {
  if (const auto* o = v.if_object()) {
    for (const auto& [key, child] : *o) {
      if (key == "$ref" && child.is_string()) {
        out.emplace_back(std::string(child.get_string()), where);
      } else {
        collect_refs(child, where + "/" + std::string(key), out);
      }
    }
  } else if (const auto* a = v.if_array()) {
    for (std::size_t i = 0; i < a->size(); ++i) {
      collect_refs((*a)[i], where + "/" + std::to_string(i), out);
    }
  }
}

TEST(OpenApiDocument, ParsesAsJson) {
  boost::system::error_code ec;
  json::parse(openapi_document(), ec);
  ASSERT_FALSE(ec) << "src/admin/openapi.json is not valid JSON: " << ec.message();
  ASSERT_TRUE(document().is_object());
}

TEST(OpenApiDocument, IsOpenApi31) {
  const auto* doc = document().if_object();
  ASSERT_NE(doc, nullptr);
  const auto* version = doc->if_contains("openapi");
  ASSERT_NE(version, nullptr) << "no \"openapi\" field";
  ASSERT_TRUE(version->is_string());
  EXPECT_TRUE(version->get_string().starts_with("3.1."))
      << "openapi is " << json::serialize(*version) << ", expected 3.1.x";
  ASSERT_NE(doc->if_contains("info"), nullptr);
  ASSERT_FALSE(paths().empty());
}

TEST(OpenApiDocument, EveryServedRouteIsDocumented) {
  ASSERT_FALSE(admin_routes().empty()) << "admin_routes() is empty";
  for (const RouteInfo& route : admin_routes()) {
    const std::string name = std::string(route.method) + " " + std::string(route.pattern);
    const auto* item = paths().if_contains(route.pattern);
    if (item == nullptr || !item->is_object()) {
      ADD_FAILURE() << "served route " << name << " is not documented: no paths entry \""
                    << route.pattern << "\" in src/admin/openapi.json";
      continue;
    }
    EXPECT_NE(item->get_object().if_contains(lower(route.method)), nullptr)
        << "served route " << name << " is not documented: paths[\"" << route.pattern
        << "\"] has no \"" << lower(route.method) << "\" operation";
  }
}

TEST(OpenApiDocument, EveryDocumentedOperationIsServed) {
  std::set<std::pair<std::string, std::string>> served;
  for (const RouteInfo& route : admin_routes()) {
    served.emplace(upper(route.method), std::string(route.pattern));
  }
  const auto documented = documented_operations();
  ASSERT_FALSE(documented.empty());
  for (const auto& op : documented) {
    EXPECT_TRUE(served.contains(op))
        << "documented operation " << op.first << " " << op.second << " is not in admin_routes()";
  }
}

TEST(OpenApiDocument, RouteTableHasNoDuplicates) {
  std::set<std::pair<std::string, std::string>> seen;
  for (const RouteInfo& route : admin_routes()) {
    EXPECT_TRUE(seen.emplace(upper(route.method), std::string(route.pattern)).second)
        << "duplicate route " << route.method << " " << route.pattern;
    EXPECT_EQ(std::string(route.method), upper(route.method))
        << "route method should be upper case: " << route.method << " " << route.pattern;
  }
}

TEST(OpenApiDocument, EveryRefResolves) {
  std::vector<std::pair<std::string, std::string>> refs;
  collect_refs(document(), "", refs);
  ASSERT_FALSE(refs.empty());
  for (const auto& [ref, where] : refs) {
    EXPECT_NE(resolve(ref), nullptr)
        << "$ref \"" << ref << "\" at " << where << " does not resolve";
  }
}

TEST(OpenApiDocument, EveryPathParameterIsDeclared) {
  for (const auto& [path, item] : paths()) {
    if (!item.is_object()) continue;
    const auto& item_obj = item.get_object();
    const auto names = template_names(path);
    for (const auto& [key, op] : item_obj) {
      if (!http_methods().contains(std::string(key)) || !op.is_object()) continue;
      std::set<std::string> declared;
      for (const json::value* list :
           {item_obj.if_contains("parameters"), op.get_object().if_contains("parameters")}) {
        if (list == nullptr || !list->is_array()) continue;
        for (const json::value& p : list->get_array()) {
          const json::object* param = parameter(p);
          if (param == nullptr) continue;
          const auto* in = param->if_contains("in");
          const auto* name = param->if_contains("name");
          if (in != nullptr && name != nullptr && in->is_string() && name->is_string() &&
              in->get_string() == "path") {
            declared.emplace(name->get_string());
          }
        }
      }
      for (const std::string& n : names) {
        EXPECT_TRUE(declared.contains(n))
            << upper(key) << " " << path << ": path parameter {" << n << "} not declared";
      }
      EXPECT_EQ(declared.size(), names.size())
          << upper(key) << " " << path << ": declares path parameters the path does not have";
    }
  }
}

// The release actions are one templated path whose {action} enum lists them all.
TEST(OpenApiDocument, ReleaseActionsAreAnEnum) {
  const auto* item = paths().if_contains("/admin/v1/models/{model}/release/{action}");
  ASSERT_NE(item, nullptr);
  ASSERT_TRUE(item->is_object());
  std::set<std::string> actions;
  std::vector<const json::value*> lists = {item->get_object().if_contains("parameters")};
  if (const auto* post = item->get_object().if_contains("post"); post && post->is_object()) {
    lists.push_back(post->get_object().if_contains("parameters"));
  }
  for (const json::value* list : lists) {
    if (list == nullptr || !list->is_array()) continue;
    for (const json::value& p : list->get_array()) {
      const json::object* param = parameter(p);
      if (param == nullptr || !param->contains("name") ||
          param->at("name") != json::value("action")) {
        continue;
      }
      const json::value* schema = param->if_contains("schema");
      ASSERT_NE(schema, nullptr);
      if (const auto* r = schema->get_object().if_contains("$ref"))
        schema = resolve(r->as_string());
      ASSERT_NE(schema, nullptr);
      for (const json::value& a : schema->at("enum").as_array()) {
        actions.emplace(a.as_string());
      }
    }
  }
  const std::set<std::string> expected = {"promote", "canary",  "rollback", "pause",
                                          "resume",  "offline", "online"};
  EXPECT_EQ(actions, expected);
}

// A bearer admin key everywhere, except on the document itself.
TEST(OpenApiDocument, SecurityIsGlobalExceptTheDocument) {
  const auto& doc = document().as_object();
  const auto* security = doc.if_contains("security");
  ASSERT_NE(security, nullptr) << "no global security requirement";
  ASSERT_TRUE(security->is_array());
  ASSERT_FALSE(security->get_array().empty());
  for (const json::value& requirement : security->get_array()) {
    for (const auto& [scheme, scopes] : requirement.as_object()) {
      const std::string ptr = "/components/securitySchemes/" + std::string(scheme);
      boost::system::error_code ec;
      const json::value* s = document().find_pointer(ptr, ec);
      ASSERT_NE(s, nullptr) << "security scheme " << scheme << " is not defined";
      EXPECT_EQ(s->at("type"), json::value("http"));
      EXPECT_EQ(lower(s->at("scheme").as_string()), "bearer");
    }
  }
  for (const auto& [path, item] : paths()) {
    for (const auto& [key, op] : item.as_object()) {
      if (!http_methods().contains(std::string(key))) continue;
      const auto* own = op.as_object().if_contains("security");
      const bool is_document = path == "/admin/v1/openapi.json";
      if (is_document) {
        ASSERT_NE(own, nullptr) << "GET /admin/v1/openapi.json needs security: []";
        EXPECT_TRUE(own->is_array() && own->get_array().empty())
            << "GET /admin/v1/openapi.json is readable without a key: security must be []";
      } else {
        EXPECT_TRUE(own == nullptr || !own->as_array().empty())
            << upper(key) << " " << path << " must not switch authentication off";
        // Every authenticated operation documents its 401 and 403.
        const auto& responses = op.as_object().at("responses").as_object();
        EXPECT_TRUE(responses.contains("401")) << upper(key) << " " << path << ": no 401";
        EXPECT_TRUE(responses.contains("403")) << upper(key) << " " << path << ": no 403";
      }
    }
  }
}

// Error responses (4xx/5xx) are in the OpenAI shape: they reference the Error schema.
TEST(OpenApiDocument, ErrorResponsesUseTheErrorSchema) {
  const json::value* error_schema = resolve("#/components/schemas/Error");
  ASSERT_NE(error_schema, nullptr) << "no components/schemas/Error";
  for (const auto& [path, item] : paths()) {
    for (const auto& [key, op] : item.as_object()) {
      if (!http_methods().contains(std::string(key))) continue;
      for (const auto& [status, response] : op.as_object().at("responses").as_object()) {
        if (status.empty() || (status[0] != '4' && status[0] != '5')) continue;
        const json::value* r = &response;
        if (const auto* ref = r->as_object().if_contains("$ref")) r = resolve(ref->as_string());
        ASSERT_NE(r, nullptr);
        boost::system::error_code ec;
        const json::value* schema = r->find_pointer("/content/application~1json/schema/$ref", ec);
        ASSERT_NE(schema, nullptr)
            << upper(key) << " " << path << " " << status << ": no application/json schema $ref";
        EXPECT_EQ(schema->as_string(), "#/components/schemas/Error")
            << upper(key) << " " << path << " " << status;
      }
    }
  }
}

TEST(OpenApiDocument, OperationIdsAreUnique) {
  std::set<std::string> ids;
  for (const auto& [path, item] : paths()) {
    for (const auto& [key, op] : item.as_object()) {
      if (!http_methods().contains(std::string(key))) continue;
      const auto* id = op.as_object().if_contains("operationId");
      ASSERT_NE(id, nullptr) << upper(key) << " " << path << ": no operationId";
      EXPECT_TRUE(ids.emplace(id->as_string()).second)
          << "operationId " << id->as_string() << " used twice";
    }
  }
}

}  // namespace
}  // namespace plinth::admin
