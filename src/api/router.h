// Router: maps (method, path) to a handler with gorilla/mux semantics (upstream-api.md §1.1).
//
// Our own segment router instead of RESTinio's easy_parser_router: mux's 404 / 405 / 301 split
// cannot be expressed there, and matching by pre-split segments keeps lookup free of regexes
// (see src/api/README.md).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/http_types.h"
#include "common/result.h"

namespace cloud::api {

// One segment of a route pattern.
struct PatternSegment {
  enum class Kind {
    kLiteral,  // matches exactly `text`
    kId,       // a variable matching upstream's ID shape [A-Za-z0-9]{26} (IsValidIdShape)
    kAny,      // a variable matching any non-empty segment (mux's default [^/]+)
  };
  Kind kind = Kind::kLiteral;
  std::string text;  // the literal, or the variable name

  friend bool operator==(const PatternSegment&, const PatternSegment&) = default;
};

// Parses a route pattern. Syntax: absolute path; `{name}` is a variable matching any
// non-empty segment; `{name:id}` and upstream's spelling `{name:[A-Za-z0-9]{26}}` are
// variables matching a 26-character ID. A trailing '/' is part of the pattern (no strict
// slash). Errors: kInvalidArgument for anything else (other regexes, '{' inside a segment,
// a pattern not starting with '/', duplicate variable names).
Result<std::vector<PatternSegment>> ParseRoutePattern(std::string_view pattern);

// Go's mux cleanPath: path.Clean (collapse "//", resolve "." and "..") keeping a trailing
// slash; "" becomes "/".
std::string CleanPath(std::string_view path);

// Percent-encodes a path for a Location header (Go's URL.EscapedPath for a plain Path).
std::string EscapePath(std::string_view path);

// Routes are matched in registration order, as mux does: the first route whose pattern and
// method both match wins; if some pattern matched but no method did, the answer is 405.
//
// Threading: register every route before serving; Match/Dispatch are then const and safe
// to call from any number of threads.
class Router {
 public:
  using RouteHandler = std::function<HttpResponse(const HttpRequest&)>;
  // Answers a request from memory on the I/O thread, or declines (nullopt): see DispatchInline.
  using InlineRouteHandler = std::function<std::optional<HttpResponse>(const HttpRequest&)>;

  struct Route {
    std::string method;
    std::string pattern;
    std::vector<PatternSegment> segments;
    RouteHandler handler;
    InlineRouteHandler inline_handler;  // empty for most routes
  };

  struct Match {
    enum class Kind { kFound, kNotFound, kMethodNotAllowed, kRedirect };
    Kind kind = Kind::kNotFound;
    const Route* route = nullptr;                           // kFound
    std::vector<std::pair<std::string, std::string>> vars;  // kFound
    std::string location;                                   // kRedirect
  };

  Router();
  ~Router();
  Router(Router&&) noexcept;
  Router& operator=(Router&&) noexcept;

  // Registers `handler` for `method` (exact, upper case) on `pattern` (ParseRoutePattern).
  // A malformed pattern is a programming error: the process aborts with a message, as mux
  // panics on a bad route regex.
  // `inline_handler`, when given, is tried first by DispatchInline.
  void Handle(std::string_view method, std::string_view pattern, RouteHandler handler,
              InlineRouteHandler inline_handler = {});

  // Finds the route for a request. `path` is the decoded path; `raw_query` is only used to
  // build the redirect Location.
  Match Find(std::string_view method, std::string_view path, std::string_view raw_query) const;

  // Finds the route, fills request.path_vars and runs its handler; otherwise answers
  // 404 "404 page not found\n" (text/plain), 405 (empty body) or 301 (Location: clean path).
  HttpResponse Dispatch(HttpRequest& request) const;

  // For the HTTP server's I/O thread: when the request's route has an inline handler, fills
  // request.path_vars and returns what that handler answers; nullopt when there is none, when
  // it declines, or when the request matches no route (Dispatch then answers it as usual).
  std::optional<HttpResponse> DispatchInline(HttpRequest& request) const;

  const std::vector<Route>& routes() const { return routes_; }

  // The router's built-in responses, exposed for other layers (auth runs after matching).
  static HttpResponse NotFoundResponse();
  static HttpResponse MethodNotAllowedResponse();

 private:
  struct Node;

  void Collect(const Node& node, const std::vector<std::string_view>& segments, size_t index,
               std::vector<size_t>& out) const;

  std::vector<Route> routes_;
  std::unique_ptr<Node> root_;
};

}  // namespace cloud::api
