#include "model/webhook.h"

#include <set>

namespace cloud::model {

Result<void> ValidateWebhookHeaders(const Headers& headers) {
  std::set<std::string> keys;
  for (const WebhookHeader& header : headers) {
    if (!keys.insert(header.key).second) {
      return InvalidArgument("header " + header.key + " is duplicated");
    }
    if (!header.value.has_value() && !header.value_from_env.has_value()) {
      return InvalidArgument("header " + header.key +
                             " must have either a value or a value_from_env");
    }
    if (header.value.has_value() && header.value_from_env.has_value()) {
      return InvalidArgument("header " + header.key +
                             " cannot have both a value and a value_from_env");
    }
  }
  return Ok();
}

std::map<std::string, std::string> ResolveWebhookHeaders(
    const Headers& headers, const std::function<std::string(const std::string&)>& getenv) {
  std::map<std::string, std::string> out;
  for (const WebhookHeader& header : headers) {
    if (header.value.has_value()) {
      out[header.key] = *header.value;
    } else if (header.value_from_env.has_value()) {
      out[header.key] = getenv(*header.value_from_env);
    }
  }
  return out;
}

Result<void> CreateWebhookRequest::Validate() const {
  if (owner_id.empty()) return InvalidArgument("must specify owner");
  if (url.empty()) return InvalidArgument("must specify callback URL");
  Result<GoUrl> parsed = ParseGoUrl(url, /*request_uri=*/true);
  if (!parsed) return std::move(parsed).error().WithContext("unable to parse callback URL");
  if (parsed->scheme != "http" && parsed->scheme != "https") {
    return InvalidArgument("'" + parsed->scheme + "' is not a valid scheme: should be 'http' or " +
                           "'https'");
  }
  if (parsed->host.empty()) return InvalidArgument("must specify host");
  return Ok();
}

WebhookPayload ToWebhookPayload(const StateChangeEventData& data) {
  return WebhookPayload{
      .event_id = data.event.id,
      .timestamp = data.event.timestamp,
      .id = data.state_change.resource_id,
      .type = data.state_change.resource_type,
      .new_state = data.state_change.new_state,
      .old_state = data.state_change.old_state,
      .extra_data = data.event.extra_data.fields.value_or(std::map<std::string, std::string>{}),
  };
}

// Go net/url ------------------------------------------------------------------------------

namespace {

enum class Mode { kHost, kPath, kFragment, kUserPassword };

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
int Unhex(char c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

// shouldEscape for the host mode: what may appear unescaped in a host.
bool AllowedInHost(char c) {
  if (IsAlpha(c) || IsDigit(c)) return true;
  switch (c) {
    case '!':
    case '$':
    case '&':
    case '\'':
    case '(':
    case ')':
    case '*':
    case '+':
    case ',':
    case ';':
    case '=':
    case ':':
    case '[':
    case ']':
    case '<':
    case '>':
    case '"':
    case '-':
    case '_':
    case '.':
    case '~':
      return true;
    default:
      return false;
  }
}

Result<void> CheckEscapes(std::string_view s, Mode mode) {
  for (size_t i = 0; i < s.size();) {
    const char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size() || !IsHex(s[i + 1]) || !IsHex(s[i + 2])) {
        return InvalidArgument("invalid URL escape \"" + std::string(s.substr(i, 3)) + "\"");
      }
      if (mode == Mode::kHost && Unhex(s[i + 1]) < 8 && s.substr(i, 3) != "%25") {
        return InvalidArgument("invalid URL escape \"" + std::string(s.substr(i, 3)) + "\"");
      }
      i += 3;
      continue;
    }
    if (mode == Mode::kHost && static_cast<unsigned char>(c) < 0x80 && !AllowedInHost(c)) {
      return InvalidArgument("invalid character \"" + std::string(1, c) + "\" in host name");
    }
    ++i;
  }
  return Ok();
}

bool ValidOptionalPort(std::string_view port) {
  if (port.empty()) return true;
  if (port[0] != ':') return false;
  for (char c : port.substr(1)) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

Result<void> ParseHost(std::string_view host) {
  if (!host.empty() && host[0] == '[') {
    const size_t close = host.rfind(']');
    if (close == std::string_view::npos) return InvalidArgument("missing ']' in host");
    const std::string_view port = host.substr(close + 1);
    if (!ValidOptionalPort(port)) {
      return InvalidArgument("invalid port \"" + std::string(port) + "\" after host");
    }
    // Inside the brackets an IPv6 zone may carry %25-escapes; check escapes only.
    const size_t zone = host.substr(0, close).find("%25");
    if (zone != std::string_view::npos) {
      CLOUD_TRY_VOID(CheckEscapes(host.substr(0, zone), Mode::kHost));
      CLOUD_TRY_VOID(CheckEscapes(host.substr(zone, close - zone), Mode::kPath));
      return CheckEscapes(host.substr(close), Mode::kHost);
    }
  } else if (const size_t colon = host.rfind(':'); colon != std::string_view::npos) {
    const std::string_view port = host.substr(colon);
    if (!ValidOptionalPort(port)) {
      return InvalidArgument("invalid port \"" + std::string(port) + "\" after host");
    }
  }
  return CheckEscapes(host, Mode::kHost);
}

bool ValidUserinfo(std::string_view s) {
  for (char c : s) {
    if (IsAlpha(c) || IsDigit(c)) continue;
    switch (c) {
      case '-':
      case '.':
      case '_':
      case ':':
      case '~':
      case '!':
      case '$':
      case '&':
      case '\'':
      case '(':
      case ')':
      case '*':
      case '+':
      case ',':
      case ';':
      case '=':
      case '%':
      case '@':
        continue;
      default:
        return false;  // includes every non-ASCII byte, as Go's rune check does
    }
  }
  return true;
}

}  // namespace

Result<GoUrl> ParseGoUrl(std::string_view raw, bool request_uri) {
  GoUrl url;
  std::string_view rest = raw;
  if (!request_uri) {
    // url.Parse cuts off the fragment first; ParseRequestURI keeps '#' in the path.
    if (const size_t hash = rest.find('#'); hash != std::string_view::npos) {
      url.fragment = std::string(rest.substr(hash + 1));
      rest = rest.substr(0, hash);
    }
  }
  for (char c : rest) {  // url.Parse checks the text without its fragment
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return InvalidArgument("net/url: invalid control character in URL");
    }
  }
  if (rest.empty() && request_uri) return InvalidArgument("empty url");
  if (rest == "*") {
    url.path = "*";
    return url;
  }

  // Scheme: a letter, then letters, digits, '+', '-', '.', up to the first ':'.
  for (size_t i = 0; i < rest.size(); ++i) {
    const char c = rest[i];
    if (IsAlpha(c)) continue;
    if (IsDigit(c) || c == '+' || c == '-' || c == '.') {
      if (i == 0) break;
      continue;
    }
    if (c == ':') {
      if (i == 0) return InvalidArgument("missing protocol scheme");
      url.scheme = std::string(rest.substr(0, i));
      rest = rest.substr(i + 1);
    }
    break;
  }
  for (char& c : url.scheme) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }

  const size_t question = rest.find('?');
  if (question != std::string_view::npos) {
    url.raw_query = std::string(rest.substr(question + 1));
    rest = rest.substr(0, question);
  }

  if (rest.empty() || rest[0] != '/') {
    if (!url.scheme.empty()) {
      url.opaque = std::string(rest);
      return url;
    }
    if (request_uri) return InvalidArgument("invalid URI for request");
    const std::string_view segment = rest.substr(0, rest.find('/'));
    if (segment.find(':') != std::string_view::npos) {
      return InvalidArgument("first path segment in URL cannot contain colon");
    }
  }

  const bool has_authority = rest.substr(0, 2) == "//";
  if (has_authority && (!url.scheme.empty() || (!request_uri && rest.substr(0, 3) != "///"))) {
    std::string_view authority = rest.substr(2);
    rest = {};
    if (const size_t slash = authority.find('/'); slash != std::string_view::npos) {
      rest = authority.substr(slash);
      authority = authority.substr(0, slash);
    }
    const size_t at = authority.rfind('@');
    const std::string_view host =
        at == std::string_view::npos ? authority : authority.substr(at + 1);
    CLOUD_TRY_VOID(ParseHost(host));
    if (at != std::string_view::npos) {
      const std::string_view user_info = authority.substr(0, at);
      if (!ValidUserinfo(user_info)) return InvalidArgument("net/url: invalid userinfo");
      CLOUD_TRY_VOID(CheckEscapes(user_info, Mode::kUserPassword));
      url.user_info = std::string(user_info);
    }
    url.host = std::string(host);
  }

  CLOUD_TRY_VOID(CheckEscapes(rest, Mode::kPath));
  url.path = std::string(rest);
  CLOUD_TRY_VOID(CheckEscapes(url.fragment, Mode::kFragment));
  return url;
}

}  // namespace cloud::model
