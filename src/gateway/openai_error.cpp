#include "gateway/openai_error.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace plinth::gateway {

namespace {

struct Shape {
  int status;
  const char* type;
  const char* code;  // nullptr = JSON null
};

Shape shape_of(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidRequest: return {400, "invalid_request_error", nullptr};
    case ErrorCode::kUnauthenticated: return {401, "authentication_error", "invalid_api_key"};
    case ErrorCode::kPermissionDenied: return {403, "permission_error", "permission_denied"};
    case ErrorCode::kNotFound: return {404, "invalid_request_error", "not_found"};
    case ErrorCode::kModelNotFound: return {404, "invalid_request_error", "model_not_found"};
    case ErrorCode::kMethodNotAllowed: return {405, "invalid_request_error", "method_not_allowed"};
    case ErrorCode::kRequestTimeout: return {408, "invalid_request_error", "request_timeout"};
    case ErrorCode::kConflict: return {409, "invalid_request_error", "conflict"};
    case ErrorCode::kPreconditionFailed:
      return {412, "invalid_request_error", "precondition_failed"};
    case ErrorCode::kPayloadTooLarge: return {413, "invalid_request_error", "payload_too_large"};
    case ErrorCode::kUnsupportedMediaType:
      return {415, "invalid_request_error", "unsupported_media_type"};
    case ErrorCode::kHeadersTooLarge:
      return {431, "invalid_request_error", "request_header_fields_too_large"};
    case ErrorCode::kRateLimited: return {429, "rate_limit_error", "rate_limit_exceeded"};
    case ErrorCode::kInternal: return {500, "server_error", "internal_error"};
    case ErrorCode::kUpstreamError: return {502, "upstream_error", "upstream_error"};
    case ErrorCode::kUpstreamUnreachable:
      return {502, "upstream_error", "upstream_unreachable"};
    case ErrorCode::kUnavailable: return {503, "server_error", "unavailable"};
    case ErrorCode::kModelVersionOffline:
      return {503, "server_error", "model_version_offline"};
    case ErrorCode::kUpstreamTimeout: return {504, "upstream_error", "upstream_timeout"};
    case ErrorCode::kCancelled: return {499, "server_error", "cancelled"};
  }
  return {500, "server_error", "internal_error"};
}

}  // namespace

int http_status(const Error& error) { return shape_of(error.code).status; }

std::string openai_error_body(const Error& error) {
  const Shape s = shape_of(error.code);
  boost::json::object inner;
  inner["message"] = error.message;
  inner["type"] = s.type;
  inner["param"] = error.field.empty() ? boost::json::value() : boost::json::value(error.field);
  inner["code"] = s.code ? boost::json::value(s.code) : boost::json::value();
  boost::json::object outer;
  outer["error"] = std::move(inner);
  return boost::json::serialize(outer);
}

}  // namespace plinth::gateway
