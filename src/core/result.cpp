#include "core/result.h"

namespace plinth {

std::string_view error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidRequest: return "invalid_request";
    case ErrorCode::kUnauthenticated: return "unauthenticated";
    case ErrorCode::kPermissionDenied: return "permission_denied";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kModelNotFound: return "model_not_found";
    case ErrorCode::kMethodNotAllowed: return "method_not_allowed";
    case ErrorCode::kRequestTimeout: return "request_timeout";
    case ErrorCode::kConflict: return "conflict";
    case ErrorCode::kPreconditionFailed: return "precondition_failed";
    case ErrorCode::kPayloadTooLarge: return "payload_too_large";
    case ErrorCode::kUnsupportedMediaType: return "unsupported_media_type";
    case ErrorCode::kHeadersTooLarge: return "headers_too_large";
    case ErrorCode::kRateLimited: return "rate_limited";
    case ErrorCode::kInternal: return "internal";
    case ErrorCode::kUpstreamError: return "upstream_error";
    case ErrorCode::kUpstreamUnreachable: return "upstream_unreachable";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kModelVersionOffline: return "model_version_offline";
    case ErrorCode::kUpstreamTimeout: return "upstream_timeout";
    case ErrorCode::kCancelled: return "cancelled";
  }
  return "internal";
}

}  // namespace plinth
