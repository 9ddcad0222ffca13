// Legacy outgoing webhooks: the Webhook wire type, its create request and validation, the
// payload POSTed to every webhook, and the header list shared with subscriptions
// (spec upstream-api.md §3.8, §4.7, §8; upstream-core.md §4.2).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "model/event.h"
#include "model/json_codec.h"

namespace cloud::model {

// One extra HTTP header of a webhook or subscription: a literal `value` or the name of an
// environment variable read at send time (`value_from_env`).
struct WebhookHeader {
  std::string key;
  std::optional<std::string> value;
  std::optional<std::string> value_from_env;
  friend bool operator==(const WebhookHeader&, const WebhookHeader&) = default;
};

template <class V>
void JsonFields(V& v, WebhookHeader& h) {
  v("key", h.key);
  v("value", h.value, kOmitEmpty);
  v("value_from_env", h.value_from_env, kOmitEmpty);
}

// Go Headers ([]WebhookHeader); wire fields holding it are nullable (`null` when none).
using Headers = std::vector<WebhookHeader>;

// Go Headers.Validate: keys unique; exactly one of value / value_from_env per header.
// Upstream's create routes do not call it (§3.8, §3.11); it is here for callers that want it.
// Errors: kInvalidArgument naming the header.
Result<void> ValidateWebhookHeaders(const Headers& headers);

// Go Headers.GetHeaders: key → value, or → getenv(value_from_env) ("" when unset). Headers with
// neither are skipped.
std::map<std::string, std::string> ResolveWebhookHeaders(
    const Headers& headers, const std::function<std::string(const std::string&)>& getenv);

struct Webhook {
  std::string id;
  std::string owner_id;
  std::string url;
  int64_t create_at = 0;
  int64_t delete_at = 0;
  std::optional<Headers> headers;  // null when none
  // Standard Webhooks signing secret ("" = unsigned). Never serialised (not in JsonFields).
  std::string secret;

  bool IsDeleted() const { return delete_at != 0; }
  friend bool operator==(const Webhook&, const Webhook&) = default;
};

template <class V>
void JsonFields(V& v, Webhook& w) {
  v("ID", w.id);
  v("OwnerID", w.owner_id);
  v("URL", w.url);
  v("CreateAt", w.create_at);
  v("DeleteAt", w.delete_at);
  v("Headers", w.headers);
}

// Body of POST /api/webhooks.
struct CreateWebhookRequest {
  std::string owner_id;
  std::string url;
  std::optional<Headers> headers;
  std::string secret;  // beyond upstream: optional signing secret (request only)

  // §3.8 in upstream order: OwnerID required; URL required; URL must parse as Go
  // url.ParseRequestURI does; scheme (lower-cased by the parser) http or https; host non-empty.
  // Headers are not validated (as upstream). Errors: kInvalidArgument.
  Result<void> Validate() const;
  friend bool operator==(const CreateWebhookRequest&, const CreateWebhookRequest&) = default;
};

template <class V>
void JsonFields(V& v, CreateWebhookRequest& r) {
  v("OwnerID", r.owner_id);
  v("URL", r.url);
  v("Headers", r.headers);
  v("Secret", r.secret, kOmitEmpty);
}

// Body POSTed to every legacy webhook.
struct WebhookPayload {
  std::string event_id;   // "" for backup/restoration/migration payloads
  int64_t timestamp = 0;  // Unix **nanoseconds** (set at send time)
  std::string id;         // resource ID
  ResourceType type = ResourceType::kCluster;
  std::string new_state;
  std::string old_state;
  std::map<std::string, std::string> extra_data;  // omitted when empty
  friend bool operator==(const WebhookPayload&, const WebhookPayload&) = default;
};

template <class V>
void JsonFields(V& v, WebhookPayload& p) {
  v("event_id", p.event_id);
  v("timestamp", p.timestamp);
  v("id", p.id);
  v("type", p.type);
  v("new_state", p.new_state);
  v("old_state", p.old_state);
  v("extra_data", p.extra_data, kOmitEmpty);
}

// Go StateChangeEventData.ToWebhookPayload. Timestamp is the event's (ms); the sender
// overwrites it with the send time in ns, as upstream does.
WebhookPayload ToWebhookPayload(const StateChangeEventData& data);

// A URL split as Go's net/url does (only the parts validation needs).
struct GoUrl {
  std::string scheme;  // lower-cased
  std::string opaque;
  std::string user_info;
  std::string host;  // including any :port
  std::string path;  // still escaped
  std::string raw_query;
  std::string fragment;
};

// Go url.Parse (request_uri = false) or url.ParseRequestURI (request_uri = true): the same
// accept/reject decisions for control characters, empty input, scheme syntax, a colon in the
// first path segment, authority (userinfo, host characters, port digits, IPv6 brackets) and
// percent escapes. Errors: kInvalidArgument with Go's reason.
Result<GoUrl> ParseGoUrl(std::string_view raw, bool request_uri);

}  // namespace cloud::model
