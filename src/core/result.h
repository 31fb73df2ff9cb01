// Result<T>: a value or an Error. The failure path of anything a caller should handle is
// visible in its signature (after absl::StatusOr and leveldb::Status).
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace plinth {

// What went wrong, in terms a caller can act on. One code maps to one HTTP status and one
// OpenAI error type (see gateway/openai_error.cpp); keep the list short.
enum class ErrorCode {
  kInvalidRequest,        // 400: the client's input is wrong; `field` names which part
  kUnauthenticated,       // 401
  kPermissionDenied,      // 403
  kNotFound,              // 404: route or resource
  kModelNotFound,         // 404 with code model_not_found
  kMethodNotAllowed,      // 405
  kRequestTimeout,        // 408
  kConflict,              // 409
  kPreconditionFailed,    // 412
  kPayloadTooLarge,       // 413
  kUnsupportedMediaType,  // 415
  kHeadersTooLarge,       // 431
  kRateLimited,           // 429
  kInternal,              // 500
  kUpstreamError,         // 502: upstream answered with an error or garbage
  kUpstreamUnreachable,   // 502: could not connect / connection reset
  kUnavailable,           // 503: shutting down, not ready
  kModelVersionOffline,   // 503: the model version serving the request was taken offline
  kUpstreamTimeout,       // 504
  kCancelled,             // the client went away; nothing is sent
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::string field;  // the request field at fault, empty when none
  int upstream_status = 0;  // the upstream's HTTP status when the error came from one

  static Error invalid(std::string field, std::string message) {
    return Error{ErrorCode::kInvalidRequest, std::move(message), std::move(field)};
  }
};

std::string_view error_code_name(ErrorCode code);

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace plinth
