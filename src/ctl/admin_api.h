// The admin API as plinthctl sees it: authenticated JSON requests under <base>/admin/v1, API
// errors turned into Error (with the HTTP status in `upstream_status`, which picks the exit
// code), and list routes followed through next_cursor.
#pragma once

#include "core/result.h"
#include "ctl/http_client.h"

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace plinth::ctl {

struct ApiReply {
  int status = 0;
  boost::json::value json;  // the answer's body; null when empty (204)
};

struct ListReply {
  boost::json::array data;
  boost::json::value next_cursor;  // null when the list was read to its end
  // The list in the API's own shape: {"object":"list","data":[...],"next_cursor":...}.
  boost::json::value to_json() const;
};

class AdminApi {
 public:
  // `base_path` is the server URL's path prefix ("" or "/plinth"); `key` the admin key.
  AdminApi(Transport& transport, std::string key, std::string base_path = {});

  // `path` is relative to /admin/v1 and already escaped ("/models/demo-chat"); `query` is
  // "a=b&c=d" or empty. A 2xx answer is a value; anything else an Error whose message and
  // field are the API's error message and param.
  Result<ApiReply> get(std::string_view path, std::string_view query = {});
  // POST, PUT, PATCH or DELETE; `body` may be null (no body). `if_match` (a revision, quoted
  // or not) is sent as If-Match when not empty.
  Result<ApiReply> write(std::string_view method, std::string_view path,
                         const boost::json::value* body, std::string_view if_match = {},
                         std::string_view query = {});
  // GETs a list route page by page until next_cursor is null or `limit` items were read
  // (0 = no limit).
  Result<ListReply> list(std::string_view path, std::size_t limit = 0, std::string_view query = {});

 private:
  Result<ApiReply> call(std::string_view method, std::string target, std::string body,
                        std::string_view if_match);

  Transport& transport_;
  std::string key_;
  std::string root_;  // base_path + "/admin/v1"
};

// Percent-encodes one path segment or query value: everything but [A-Za-z0-9-._~] (so a
// model name "org/model" stays one segment).
std::string escape_component(std::string_view text);

// Error for an HTTP answer that is not 2xx, from its status and body (the OpenAI error
// shape when it parses, else the start of the body).
Error api_error(int status, std::string_view body);

}  // namespace plinth::ctl
