// Requests to the admin API, error mapping and pagination.
#include "ctl/admin_api.h"

#include "ctl/json_print.h"

#include <boost/json/parse.hpp>

#include <algorithm>

namespace plinth::ctl {
namespace json = boost::json;

namespace {

constexpr std::size_t kMaxPage = 1000;  // the API's largest ?limit

ErrorCode code_for_status(int status) {
  switch (status) {
    case 400:
      return ErrorCode::kInvalidRequest;
    case 401:
      return ErrorCode::kUnauthenticated;
    case 403:
      return ErrorCode::kPermissionDenied;
    case 404:
      return ErrorCode::kNotFound;
    case 405:
      return ErrorCode::kMethodNotAllowed;
    case 409:
      return ErrorCode::kConflict;
    case 412:
      return ErrorCode::kPreconditionFailed;
    case 503:
      return ErrorCode::kUnavailable;
    default:
      return status >= 500 ? ErrorCode::kInternal : ErrorCode::kInvalidRequest;
  }
}

std::string string_at(const json::object& obj, std::string_view key) {
  const json::value* v = obj.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace

json::value ListReply::to_json() const {
  return json::object{{"object", "list"}, {"data", data}, {"next_cursor", next_cursor}};
}

std::string escape_component(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

Error api_error(int status, std::string_view body) {
  Error error{code_for_status(status), {}, {}, status};
  boost::system::error_code ec;
  json::value parsed = json::parse(body, ec);
  const json::object* err = nullptr;
  if (!ec && parsed.is_object()) {
    if (auto* e = parsed.get_object().if_contains("error"); e && e->is_object()) {
      err = &e->get_object();
    }
  }
  if (err) {
    error.message = string_at(*err, "message");
    error.field = string_at(*err, "param");
  }
  if (error.message.empty()) {
    std::string excerpt(body.substr(0, 200));
    std::replace(excerpt.begin(), excerpt.end(), '\n', ' ');
    error.message = "the server answered HTTP " + std::to_string(status) +
                    (excerpt.empty() ? std::string(" with no body") : ": " + excerpt);
  }
  return error;
}

AdminApi::AdminApi(Transport& transport, std::string key, std::string base_path)
    : transport_(transport), key_(std::move(key)), root_(std::move(base_path) + "/admin/v1") {}

Result<ApiReply> AdminApi::get(std::string_view path, std::string_view query) {
  std::string target = root_ + std::string(path);
  if (!query.empty()) target += "?" + std::string(query);
  return call("GET", std::move(target), {}, {});
}

Result<ApiReply> AdminApi::write(std::string_view method, std::string_view path,
                                 const json::value* body, std::string_view if_match,
                                 std::string_view query) {
  std::string target = root_ + std::string(path);
  if (!query.empty()) target += "?" + std::string(query);
  return call(method, std::move(target), body ? compact_json(*body) : std::string(), if_match);
}

Result<ListReply> AdminApi::list(std::string_view path, std::size_t limit, std::string_view query) {
  ListReply out;
  std::string cursor;
  while (true) {
    const std::size_t want = limit == 0 ? kMaxPage : std::min(kMaxPage, limit - out.data.size());
    std::string q = "limit=" + std::to_string(want);
    if (!query.empty()) q += "&" + std::string(query);
    if (!cursor.empty()) q += "&cursor=" + escape_component(cursor);
    auto reply = get(path, q);
    if (!reply.ok()) return std::move(reply).error();
    const json::object* page = reply->json.if_object();
    const json::value* data = page ? page->if_contains("data") : nullptr;
    if (!data || !data->is_array()) {
      return Error{ErrorCode::kUpstreamError, "the server's answer to GET " + root_ +
                                                  std::string(path) +
                                                  " is not a list (no \"data\" array)"};
    }
    for (const auto& item : data->get_array()) {
      if (limit != 0 && out.data.size() >= limit) break;
      out.data.push_back(item);
    }
    const json::value* next = page->if_contains("next_cursor");
    out.next_cursor = next && next->is_string() ? *next : json::value(nullptr);
    if (out.next_cursor.is_null() || (limit != 0 && out.data.size() >= limit)) break;
    if (data->get_array().empty()) break;  // a cursor with nothing behind it: stop, not spin
    cursor = std::string(out.next_cursor.get_string());
  }
  return out;
}

Result<ApiReply> AdminApi::call(std::string_view method, std::string target, std::string body,
                                std::string_view if_match) {
  HttpRequest request{std::string(method), std::move(target), std::move(body), {}};
  request.headers.emplace_back("Authorization", "Bearer " + key_);
  if (!if_match.empty()) {
    request.headers.emplace_back("If-Match", if_match.starts_with('"')
                                                 ? std::string(if_match)
                                                 : "\"" + std::string(if_match) + "\"");
  }
  auto response = transport_.send(request);
  if (!response.ok()) return std::move(response).error();
  if (response->status < 200 || response->status >= 300) {
    return api_error(response->status, response->body);
  }
  ApiReply reply{response->status, nullptr};
  if (response->body.empty()) return reply;
  boost::system::error_code ec;
  reply.json = json::parse(response->body, ec);
  if (ec) {
    return Error{ErrorCode::kUpstreamError, "the server answered " + request.method + " " +
                                                request.target +
                                                " with a body that is not "
                                                "JSON: " +
                                                ec.message()};
  }
  return reply;
}

}  // namespace plinth::ctl
