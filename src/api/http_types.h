// Plain HTTP request/response values passed between the server adapter, the router and the
// handlers. No third-party types: the RESTinio adapter (http_server.cc) converts to and from
// these, so handlers and tests never include RESTinio.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace cloud::api {

// Header names compared case-insensitively (HTTP field names are case-insensitive).
using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// ASCII case-insensitive equality, for header names.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// Returns the first header value named `name` (case-insensitive), or nullopt.
std::optional<std::string_view> FindHeader(const HttpHeaders& headers, std::string_view name);

struct HttpRequest {
  std::string method;     // "GET", "POST" ... as received (upper case)
  std::string path;       // URL-decoded path (Go's URL.Path); what the router matches
  std::string raw_path;   // the path as sent, still percent-encoded (Go's URL.EscapedPath)
  std::string raw_query;  // the query string after '?', as sent (no '?')
  // Query parameters URL-decoded ('+' is a space), in the order sent (Go's url.Values).
  std::multimap<std::string, std::string> query;
  HttpHeaders headers;
  std::string body;
  // Path variables filled by the router: {"cluster": "<id>"}.
  std::map<std::string, std::string, std::less<>> path_vars;

  // First header value (case-insensitive name), or nullopt.
  std::optional<std::string_view> Header(std::string_view name) const {
    return FindHeader(headers, name);
  }
  // First query value for `key`, or "" when absent (Go's url.Values.Get).
  std::string_view QueryValue(std::string_view key) const;
  // The path variable `name`, or "" when the route has no such variable (Go's mux.Vars).
  std::string_view PathVar(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type;  // empty: no Content-Type header (empty bodies)
  HttpHeaders headers;       // extra headers (Location, ...)
  std::string body;
  bool close_connection = false;  // ask the server to close the connection after writing

  static HttpResponse Status(int status) {
    HttpResponse r;
    r.status = status;
    return r;
  }
  // A text/plain; charset=utf-8 body (Go's http.Error shape when `text` ends with "\n").
  static HttpResponse Text(int status, std::string text);
};

// The reason phrase for a status code ("Not Found"); "Unknown" for codes we never send.
std::string_view StatusReason(int status);

// Decodes %XX escapes (and '+' as space when `plus_as_space`), as Go's url.PathUnescape /
// url.QueryUnescape do. Errors: kInvalidArgument on a malformed escape.
Result<std::string> PercentDecode(std::string_view text, bool plus_as_space);

// Parses a query string like Go's url.ParseQuery: pairs split on '&', key and value
// URL-decoded; pairs with a malformed escape or containing ';' are skipped (Go reports an
// error for them but keeps the others, and net/http ignores that error).
std::multimap<std::string, std::string> ParseQueryString(std::string_view raw_query);

}  // namespace cloud::api
