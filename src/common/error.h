// Error: the value every expected failure in cloud is reported with (see STYLE.md §4.5).
#pragma once

#include <string>
#include <string_view>

namespace cloud {

// Error codes follow abseil's guidance on choosing a canonical code.
enum class ErrorCode {
  kInvalidArgument,     // bad input: malformed JSON, failed validation, bad flag value
  kNotFound,            // the resource does not exist (or is deleted where that matters)
  kAlreadyExists,       // a unique constraint would be violated (duplicate DNS name, group name)
  kFailedPrecondition,  // the resource is not in a state that allows the operation
  kConflict,            // a lock or lease is held by someone else
  kForbidden,           // an API security lock (or authorization) forbids the operation
  kUnauthenticated,     // missing or invalid credentials
  kUnavailable,         // a dependency (database, cloud API) failed in a retryable way
  kInternal,            // a bug or an unexpected failure
};

// Returns the lower-case name of a code ("not found"), for logs and messages.
std::string_view ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;

  // Returns a copy whose message reads "<context>: <message>", like Go's errors.Wrap.
  [[nodiscard]] Error WithContext(std::string_view context) const;
  // "<code name>: <message>".
  [[nodiscard]] std::string ToString() const;

  friend bool operator==(const Error&, const Error&) = default;
};

inline Error InvalidArgument(std::string message) {
  return {ErrorCode::kInvalidArgument, std::move(message)};
}
inline Error NotFound(std::string message) { return {ErrorCode::kNotFound, std::move(message)}; }
inline Error AlreadyExists(std::string message) {
  return {ErrorCode::kAlreadyExists, std::move(message)};
}
inline Error FailedPrecondition(std::string message) {
  return {ErrorCode::kFailedPrecondition, std::move(message)};
}
inline Error Conflict(std::string message) { return {ErrorCode::kConflict, std::move(message)}; }
inline Error Forbidden(std::string message) { return {ErrorCode::kForbidden, std::move(message)}; }
inline Error Unauthenticated(std::string message) {
  return {ErrorCode::kUnauthenticated, std::move(message)};
}
inline Error Unavailable(std::string message) {
  return {ErrorCode::kUnavailable, std::move(message)};
}
inline Error Internal(std::string message) { return {ErrorCode::kInternal, std::move(message)}; }

}  // namespace cloud
