#include "api/error_mapping.h"

#include <string>

#include "model/json_codec.h"

namespace cloud::api {

int HttpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kFailedPrecondition:
      return 400;  // upstream answers an invalid state transition with 400
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kAlreadyExists:
      return 409;
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kForbidden:
      return 403;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

HttpResponse ErrorResponse(int status, std::string_view message) {
  model::Json body = model::Json::object();
  body["error"] = std::string(message);
  HttpResponse response;
  response.status = status;
  response.content_type = "application/json";
  response.body = model::DumpGoJson(body);
  response.body.push_back('\n');
  return response;
}

HttpResponse ErrorResponse(const Error& error) {
  return ErrorResponse(HttpStatusFor(error.code), error.message);
}

}  // namespace cloud::api
