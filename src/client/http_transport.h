// HttpTransport: sends one HTTP request and returns the response. The libcurl implementation
// (NewCurlTransport) keeps one easy handle, so the TCP connection is reused between requests.
// curl types stay in http_transport.cc (ARCHITECTURE.md: third-party types behind adapters).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace cloud::client {

enum class HttpMethod { kGet, kPost, kPut, kDelete };

std::string_view HttpMethodName(HttpMethod method);

// Header list in sending order; names may repeat (Go's Header.Add).
using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  HttpMethod method = HttpMethod::kGet;
  std::string url;                  // absolute: scheme://host[:port]/path?query
  std::optional<std::string> body;  // nullopt: no body at all
  HttpHeaders headers;
};

struct HttpResponse {
  int status = 0;
  std::string body;
  HttpHeaders headers;  // names as received

  // The first header with this name (case-insensitive), if any.
  std::optional<std::string> Header(std::string_view name) const;
};

struct HttpTransportOptions {
  int64_t connect_timeout_ms = 10'000;
  int64_t timeout_ms = 120'000;  // whole request; pprof and exec can be slow
};

// One request at a time per transport: implementations serialise concurrent Do() calls.
// Owned by a Client; never shared across processes.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;

  // Sends the request and reads the whole response; any HTTP status is a success here.
  // Errors: kUnavailable "failed to reach server at <url>: <reason>" when no HTTP response
  // was received (refused, DNS, timeout, reset).
  virtual Result<HttpResponse> Do(const HttpRequest& request) = 0;
};

// The libcurl transport: one reused easy handle, TCP_NODELAY on, no proxy from the
// environment for loopback addresses (curl's default NO_PROXY handling applies).
std::unique_ptr<HttpTransport> NewCurlTransport(HttpTransportOptions options = {});

}  // namespace cloud::client
