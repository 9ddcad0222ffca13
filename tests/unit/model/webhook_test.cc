#include "model/webhook.h"

#include <gtest/gtest.h>

#include "model/subscription.h"

namespace cloud::model {
namespace {

TEST(Webhook, RoundTripFullyPopulated) {
  const std::string text =
      R"({"ID":"w1","OwnerID":"o1","URL":"https://example.com/hook","CreateAt":1,"DeleteAt":2,)"
      R"("Headers":[{"key":"X-Token","value":"abc"},{"key":"X-Env","value_from_env":"TOKEN"}]})";
  auto w = DecodeJson<Webhook>(text);
  ASSERT_TRUE(w) << w.error().message;
  ASSERT_TRUE(w->headers.has_value());
  EXPECT_EQ(w->headers->at(1).value_from_env, std::optional<std::string>("TOKEN"));
  EXPECT_TRUE(w->IsDeleted());
  EXPECT_EQ(EncodeJson(*w), text);
}

TEST(Webhook, HeadersNullWhenNone) {
  EXPECT_EQ(EncodeJson(Webhook{}),
            R"({"ID":"","OwnerID":"","URL":"","CreateAt":0,"DeleteAt":0,"Headers":null})");
  Webhook w;
  w.headers = Headers{};
  EXPECT_EQ(EncodeJson(w),
            R"({"ID":"","OwnerID":"","URL":"","CreateAt":0,"DeleteAt":0,"Headers":[]})");
  // A header with only a key keeps just "key".
  EXPECT_EQ(EncodeJson(WebhookHeader{"K", std::nullopt, std::nullopt}), R"({"key":"K"})");
  // An empty-string value is still written (omitempty omits only the nil pointer).
  EXPECT_EQ(EncodeJson(WebhookHeader{"K", "", std::nullopt}), R"({"key":"K","value":""})");
}

TEST(CreateWebhookRequest, RoundTrip) {
  const std::string text =
      R"({"OwnerID":"o1","URL":"http://example.com","Headers":[{"key":"A","value":"1"}]})";
  auto r = DecodeJson<CreateWebhookRequest>(text);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(EncodeJson(*r), text);
  EXPECT_EQ(EncodeJson(CreateWebhookRequest{}), R"({"OwnerID":"","URL":"","Headers":null})");
}

TEST(CreateWebhookRequest, Validate) {
  struct Case {
    std::string name;
    std::string owner;
    std::string url;
    std::string error_fragment;  // "" = accepted
  };
  const std::vector<Case> cases = {
      {"http", "o", "http://example.com", ""},
      {"https with path and query", "o", "https://example.com:8443/a/b?x=1", ""},
      {"upper-case scheme", "o", "HTTPS://example.com", ""},
      {"user info", "o", "http://user:pass@example.com/", ""},
      {"ipv6", "o", "http://[::1]:8080/hook", ""},
      {"fragment kept in path", "o", "http://example.com/a#b", ""},
      {"missing owner", "", "http://example.com", "owner"},
      {"missing url", "o", "", "callback URL"},
      {"relative", "o", "example.com/hook", "unable to parse"},
      {"absolute path only", "o", "/hook", "scheme"},
      {"ftp", "o", "ftp://example.com", "'ftp' is not a valid scheme"},
      {"no host", "o", "http:///hook", "host"},
      {"opaque", "o", "http:example.com", "host"},
      {"missing scheme", "o", "://example.com", "unable to parse"},
      {"bad port", "o", "http://example.com:80a/", "unable to parse"},
      {"space in host", "o", "http://exa mple.com/", "unable to parse"},
      {"control character", "o", "http://example.com/\n", "unable to parse"},
      {"bad escape", "o", "http://example.com/%zz", "unable to parse"},
      {"missing bracket", "o", "http://[::1/", "unable to parse"},
      {"bad userinfo", "o", "http://us er@example.com/", "unable to parse"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    CreateWebhookRequest r{c.owner, c.url, std::nullopt, ""};
    auto v = r.Validate();
    if (c.error_fragment.empty()) {
      EXPECT_TRUE(v) << v.error().message;
    } else {
      ASSERT_FALSE(v);
      EXPECT_EQ(v.error().code, ErrorCode::kInvalidArgument);
      EXPECT_NE(v.error().message.find(c.error_fragment), std::string::npos) << v.error().message;
    }
  }
}

TEST(CreateWebhookRequest, HeadersAreNotValidatedOnCreate) {
  CreateWebhookRequest r{"o", "http://example.com",
                         Headers{{"A", std::nullopt, std::nullopt}, {"A", "1", "ENV"}}, ""};
  EXPECT_TRUE(r.Validate());
}

TEST(WebhookHeaders, Validate) {
  struct Case {
    std::string name;
    Headers headers;
    std::string error_fragment;
  };
  const std::vector<Case> cases = {
      {"none", {}, ""},
      {"value", {{"A", "1", std::nullopt}}, ""},
      {"value from env", {{"A", std::nullopt, "ENV"}}, ""},
      {"two keys", {{"A", "1", std::nullopt}, {"B", std::nullopt, "E"}}, ""},
      {"duplicate", {{"A", "1", std::nullopt}, {"A", "2", std::nullopt}}, "duplicated"},
      {"neither", {{"A", std::nullopt, std::nullopt}}, "either"},
      {"both", {{"A", "1", "ENV"}}, "both"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto v = ValidateWebhookHeaders(c.headers);
    if (c.error_fragment.empty()) {
      EXPECT_TRUE(v) << v.error().message;
    } else {
      ASSERT_FALSE(v);
      EXPECT_NE(v.error().message.find(c.error_fragment), std::string::npos);
    }
  }
}

TEST(WebhookHeaders, Resolve) {
  Headers headers{{"A", "1", std::nullopt},
                  {"B", std::nullopt, "TOKEN"},
                  {"C", std::nullopt, "MISSING"},
                  {"D", std::nullopt, std::nullopt}};
  auto env = [](const std::string& name) { return name == "TOKEN" ? std::string("t") : ""; };
  EXPECT_EQ(ResolveWebhookHeaders(headers, env),
            (std::map<std::string, std::string>{{"A", "1"}, {"B", "t"}, {"C", ""}}));
}

TEST(WebhookPayload, RoundTripWithNanosecondTimestamp) {
  const std::string text =
      R"({"event_id":"e1","timestamp":1700000000123456789,"id":"c1","type":"cluster",)"
      R"("new_state":"stable","old_state":"creation-in-progress",)"
      R"("extra_data":{"Environment":"dev"}})";
  auto p = DecodeJson<WebhookPayload>(text);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->timestamp, 1700000000123456789);
  EXPECT_EQ(p->type, ResourceType::kCluster);
  EXPECT_EQ(EncodeJson(*p), text);
}

TEST(WebhookPayload, ExtraDataOmittedWhenEmpty) {
  WebhookPayload p;
  p.type = ResourceType::kInstallationBackup;
  p.old_state = "n/a";
  p.new_state = "backup-requested";
  EXPECT_EQ(EncodeJson(p), R"({"event_id":"","timestamp":0,"id":"","type":"installation_backup",)"
                           R"("new_state":"backup-requested","old_state":"n/a"})");
}

TEST(WebhookPayload, FromStateChangeEvent) {
  StateChangeEventData data;
  data.event = Event{"e1", EventType::kResourceStateChange, 42,
                     EventExtraData{std::map<std::string, std::string>{{"Name", "x"}}}};
  data.state_change =
      StateChangeEvent{"s1", "e1", "n/a", "creation-requested", "i1", ResourceType::kInstallation};
  WebhookPayload p = ToWebhookPayload(data);
  EXPECT_EQ(p.event_id, "e1");
  EXPECT_EQ(p.timestamp, 42);
  EXPECT_EQ(p.id, "i1");
  EXPECT_EQ(p.type, ResourceType::kInstallation);
  EXPECT_EQ(p.old_state, "n/a");
  EXPECT_EQ(p.new_state, "creation-requested");
  EXPECT_EQ(p.extra_data, (std::map<std::string, std::string>{{"Name", "x"}}));
  data.event.extra_data.fields.reset();
  EXPECT_TRUE(ToWebhookPayload(data).extra_data.empty());
}

TEST(GoUrl, ParseVersusParseRequestURI) {
  struct Case {
    std::string raw;
    bool parse_ok;
    bool request_uri_ok;
  };
  const std::vector<Case> cases = {
      {"", true, false},
      {"*", true, true},
      {"/just/a/path", true, true},
      {"relative/path", true, false},
      {"a:b/c", true, true},   // scheme "a", opaque
      {"1a:b", false, false},  // no scheme, colon in first segment
      {"://x", false, false},
      {"http://x/%2", false, false},
      {"http://x/#%zz", false, false},  // bad escape in the fragment / in the path
      {"http://x/#\x01", true, false},  // Parse checks control bytes only before '#'
      {"http://x:1a/", false, false},
      {"mailto:someone@example.com", true, true},
      {"http://x\x7f", false, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.raw);
    EXPECT_EQ(static_cast<bool>(ParseGoUrl(c.raw, false)), c.parse_ok);
    EXPECT_EQ(static_cast<bool>(ParseGoUrl(c.raw, true)), c.request_uri_ok);
  }
  auto u = ParseGoUrl("HTTP://u@Example.com:80/p?q=1#f", false);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->scheme, "http");
  EXPECT_EQ(u->user_info, "u");
  EXPECT_EQ(u->host, "Example.com:80");
  EXPECT_EQ(u->path, "/p");
  EXPECT_EQ(u->raw_query, "q=1");
  EXPECT_EQ(u->fragment, "f");
}

}  // namespace
}  // namespace cloud::model

namespace cloud::model {
namespace {

// Beyond upstream: the optional signing secret is read from create requests and never written
// into a Webhook's JSON.
TEST(WebhookSecret, ReadFromRequestsNeverSerialised) {
  auto r = DecodeJson<CreateWebhookRequest>(R"({"OwnerID":"o","URL":"http://x","Secret":"abc"})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->secret, "abc");
  Webhook w;
  w.secret = "abc";
  EXPECT_EQ(EncodeJson(w).find("abc"), std::string::npos);
  EXPECT_EQ(EncodeJson(w).find("Secret"), std::string::npos);
  Subscription s;
  s.secret = "abc";
  EXPECT_EQ(EncodeJson(s).find("abc"), std::string::npos);
}

}  // namespace
}  // namespace cloud::model
