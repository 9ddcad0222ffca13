#include "api/router.h"

#include <cstdio>
#include <cstdlib>
#include <limits>
#include <unordered_map>

#include "common/id.h"

namespace cloud::api {
namespace {

constexpr std::string_view kUpstreamIdRegex = "[A-Za-z0-9]{26}";

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// Splits "/a/b/" into {"a", "b", ""}; "/" into {""}. `path` starts with '/'.
std::vector<std::string_view> SplitSegments(std::string_view path) {
  std::vector<std::string_view> out;
  path.remove_prefix(1);
  while (true) {
    const size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

bool IsPathCharUnescaped(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '-':
    case '_':
    case '.':
    case '~':
    case '/':
    case '$':
    case '&':
    case '+':
    case ',':
    case ':':
    case ';':
    case '=':
    case '@':
    case '!':
    case '\'':
    case '(':
    case ')':
    case '*':
      return true;
    default:
      return false;
  }
}

}  // namespace

struct Router::Node {
  std::unordered_map<std::string, std::unique_ptr<Node>, StringHash, std::equal_to<>> literals;
  std::unique_ptr<Node> id_child;
  std::unique_ptr<Node> any_child;
  std::vector<size_t> routes;  // indices into routes_ ending here, in registration order
};

Result<std::vector<PatternSegment>> ParseRoutePattern(std::string_view pattern) {
  if (pattern.empty() || pattern[0] != '/') {
    return InvalidArgument("route pattern must start with '/': \"" + std::string(pattern) + "\"");
  }
  std::vector<PatternSegment> out;
  for (std::string_view segment : SplitSegments(pattern)) {
    if (segment.empty() || segment.front() != '{') {
      if (segment.find_first_of("{}") != std::string_view::npos) {
        return InvalidArgument("route variables must span a whole segment: \"" +
                               std::string(pattern) + "\"");
      }
      out.push_back({PatternSegment::Kind::kLiteral, std::string(segment)});
      continue;
    }
    if (segment.back() != '}') {
      return InvalidArgument("unterminated route variable in \"" + std::string(pattern) + "\"");
    }
    std::string_view inner = segment.substr(1, segment.size() - 2);
    const size_t colon = inner.find(':');
    std::string_view name = inner.substr(0, colon);
    PatternSegment::Kind kind = PatternSegment::Kind::kAny;
    if (colon != std::string_view::npos) {
      std::string_view shape = inner.substr(colon + 1);
      if (shape != "id" && shape != kUpstreamIdRegex) {
        return InvalidArgument("unsupported route variable pattern \"" + std::string(shape) +
                               "\" (only \"id\" or \"[A-Za-z0-9]{26}\")");
      }
      kind = PatternSegment::Kind::kId;
    }
    if (name.empty() || name.find_first_of("{}/") != std::string_view::npos) {
      return InvalidArgument("bad route variable name in \"" + std::string(pattern) + "\"");
    }
    for (const PatternSegment& seen : out) {
      if (seen.kind != PatternSegment::Kind::kLiteral && seen.text == name) {
        return InvalidArgument("duplicate route variable \"" + std::string(name) + "\"");
      }
    }
    out.push_back({kind, std::string(name)});
  }
  return out;
}

std::string CleanPath(std::string_view path) {
  if (path.empty()) return "/";
  // path.Clean for a rooted path: drop empty and "." elements, let ".." pop one element.
  std::vector<std::string_view> stack;
  std::string_view rest = path;
  while (!rest.empty()) {
    const size_t slash = rest.find('/');
    std::string_view element = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (element.empty() || element == ".") continue;
    if (element == "..") {
      if (!stack.empty()) stack.pop_back();
      continue;
    }
    stack.push_back(element);
  }
  std::string out;
  out.reserve(path.size() + 1);
  for (std::string_view element : stack) {
    out.push_back('/');
    out.append(element);
  }
  if (out.empty()) return "/";
  if (path.back() == '/') out.push_back('/');
  return out;
}

std::string EscapePath(std::string_view path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(path.size());
  for (char ch : path) {
    const auto c = static_cast<unsigned char>(ch);
    if (IsPathCharUnescaped(c)) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

Router::Router() : root_(std::make_unique<Node>()) {}
Router::~Router() = default;
Router::Router(Router&&) noexcept = default;
Router& Router::operator=(Router&&) noexcept = default;

void Router::Handle(std::string_view method, std::string_view pattern, RouteHandler handler,
                    InlineRouteHandler inline_handler) {
  Result<std::vector<PatternSegment>> segments = ParseRoutePattern(pattern);
  if (!segments) {
    // A bad pattern is a bug in the route table, found at startup (mux panics likewise).
    std::fprintf(stderr, "fatal: %s\n", segments.error().message.c_str());
    std::abort();
  }
  Node* node = root_.get();
  for (const PatternSegment& segment : *segments) {
    std::unique_ptr<Node>* next = nullptr;
    switch (segment.kind) {
      case PatternSegment::Kind::kLiteral:
        next = &node->literals[segment.text];
        break;
      case PatternSegment::Kind::kId:
        next = &node->id_child;
        break;
      case PatternSegment::Kind::kAny:
        next = &node->any_child;
        break;
    }
    if (!*next) *next = std::make_unique<Node>();
    node = next->get();
  }
  node->routes.push_back(routes_.size());
  routes_.push_back(Route{std::string(method), std::string(pattern), std::move(*segments),
                          std::move(handler), std::move(inline_handler)});
}

void Router::Collect(const Node& node, const std::vector<std::string_view>& segments, size_t index,
                     std::vector<size_t>& out) const {
  if (index == segments.size()) {
    out.insert(out.end(), node.routes.begin(), node.routes.end());
    return;
  }
  const std::string_view segment = segments[index];
  if (auto it = node.literals.find(segment); it != node.literals.end()) {
    Collect(*it->second, segments, index + 1, out);
  }
  if (segment.empty()) return;  // variables never match an empty segment
  if (node.id_child && IsValidIdShape(segment)) Collect(*node.id_child, segments, index + 1, out);
  if (node.any_child) Collect(*node.any_child, segments, index + 1, out);
}

Router::Match Router::Find(std::string_view method, std::string_view path,
                           std::string_view raw_query) const {
  Match match;
  std::string cleaned = CleanPath(path);
  if (cleaned != path) {
    match.kind = Match::Kind::kRedirect;
    match.location = EscapePath(cleaned);
    if (!raw_query.empty()) {
      match.location.push_back('?');
      match.location.append(raw_query);
    }
    return match;
  }
  const std::vector<std::string_view> segments = SplitSegments(path);
  std::vector<size_t> candidates;
  Collect(*root_, segments, 0, candidates);
  if (candidates.empty()) return match;  // kNotFound

  size_t best = std::numeric_limits<size_t>::max();
  for (size_t index : candidates) {
    if (index < best && routes_[index].method == method) best = index;
  }
  if (best == std::numeric_limits<size_t>::max()) {
    match.kind = Match::Kind::kMethodNotAllowed;
    return match;
  }
  match.kind = Match::Kind::kFound;
  match.route = &routes_[best];
  const std::vector<PatternSegment>& pattern = match.route->segments;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i].kind != PatternSegment::Kind::kLiteral) {
      match.vars.emplace_back(pattern[i].text, std::string(segments[i]));
    }
  }
  return match;
}

HttpResponse Router::NotFoundResponse() { return HttpResponse::Text(404, "404 page not found\n"); }

HttpResponse Router::MethodNotAllowedResponse() { return HttpResponse::Status(405); }

HttpResponse Router::Dispatch(HttpRequest& request) const {
  Match match = Find(request.method, request.path, request.raw_query);
  switch (match.kind) {
    case Match::Kind::kFound:
      for (auto& [name, value] : match.vars) request.path_vars[name] = std::move(value);
      return match.route->handler(request);
    case Match::Kind::kNotFound:
      return NotFoundResponse();
    case Match::Kind::kMethodNotAllowed:
      return MethodNotAllowedResponse();
    case Match::Kind::kRedirect: {
      HttpResponse response = HttpResponse::Status(301);
      response.headers.emplace_back("Location", std::move(match.location));
      return response;
    }
  }
  return NotFoundResponse();
}

std::optional<HttpResponse> Router::DispatchInline(HttpRequest& request) const {
  Match match = Find(request.method, request.path, request.raw_query);
  if (match.kind != Match::Kind::kFound || !match.route->inline_handler) return std::nullopt;
  for (auto& [name, value] : match.vars) request.path_vars[name] = std::move(value);
  return match.route->inline_handler(request);
}

}  // namespace cloud::api
