#include "model/subscription.h"

#include <gtest/gtest.h>

namespace cloud::model {
namespace {

TEST(Subscription, RoundTripFullyPopulated) {
  const std::string text =
      R"({"ID":"s1","Name":"sub","URL":"https://example.com/events","OwnerID":"o1",)"
      R"("EventType":"resourceStateChange","LastDeliveryStatus":"failed",)"
      R"("LastDeliveryAttemptAt":5,"FailureThreshold":3600000000000,"CreateAt":1,)"
      R"("DeleteAt":2,"LockAcquiredBy":"me","LockAcquiredAt":3,)"
      R"("Headers":[{"key":"Authorization","value_from_env":"TOKEN"}]})";
  auto s = DecodeJson<Subscription>(text);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->last_delivery_status, SubscriptionDeliveryStatus::kFailed);
  EXPECT_EQ(s->failure_threshold, 3600000000000);
  EXPECT_EQ(s->FailureThresholdMs(), 3600000);
  EXPECT_TRUE(s->IsDeleted());
  EXPECT_EQ(EncodeJson(*s), text);
}

TEST(Subscription, EmptyStatusAndNullHeaders) {
  EXPECT_EQ(EncodeJson(Subscription{}),
            R"({"ID":"","Name":"","URL":"","OwnerID":"","EventType":"",)"
            R"("LastDeliveryStatus":"","LastDeliveryAttemptAt":0,"FailureThreshold":0,)"
            R"("CreateAt":0,"DeleteAt":0,"LockAcquiredBy":null,"LockAcquiredAt":0,)"
            R"("Headers":null})");
}

TEST(SubscriptionDeliveryStatus, EveryString) {
  const std::vector<std::pair<SubscriptionDeliveryStatus, std::string>> want = {
      {SubscriptionDeliveryStatus::kNone, ""},
      {SubscriptionDeliveryStatus::kSucceeded, "succeeded"},
      {SubscriptionDeliveryStatus::kFailed, "failed"},
  };
  ASSERT_EQ(want.size(), kAllSubscriptionDeliveryStatuses.size());
  for (const auto& [status, text] : want) {
    SCOPED_TRACE(text);
    EXPECT_EQ(ToString(status), text);
    SubscriptionDeliveryStatus parsed = SubscriptionDeliveryStatus::kFailed;
    ASSERT_TRUE(ParseEnum(text, parsed));
    EXPECT_EQ(parsed, status);
  }
  SubscriptionDeliveryStatus out;
  EXPECT_FALSE(ParseEnum("delivered", out));
}

TEST(CreateSubscriptionRequest, RoundTrip) {
  const std::string text = R"({"Name":"sub","URL":"https://example.com","OwnerID":"o1",)"
                           R"("EventType":"resourceStateChange","FailureThreshold":60000000000,)"
                           R"("Headers":[{"key":"A","value":"1"}]})";
  auto r = DecodeJson<CreateSubscriptionRequest>(text);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(EncodeJson(*r), text);
  EXPECT_EQ(EncodeJson(CreateSubscriptionRequest{}),
            R"({"Name":"","URL":"","OwnerID":"","EventType":"","FailureThreshold":0,)"
            R"("Headers":null})");
}

TEST(CreateSubscriptionRequest, Validate) {
  struct Case {
    std::string name;
    std::string url;
    std::string event_type;
    std::string owner;
    int64_t threshold;
    std::string error_fragment;  // "" = accepted
  };
  const int64_t k72h = int64_t{72} * 3600 * 1000000000;
  const std::vector<Case> cases = {
      {"typical", "https://example.com/events", "resourceStateChange", "o", 0, ""},
      {"any event type", "https://example.com", "somethingElse", "o", 0, ""},
      {"empty url parses", "", "resourceStateChange", "o", 0, ""},
      {"relative url parses", "events/here", "resourceStateChange", "o", 0, ""},
      {"threshold 72h", "http://x", "resourceStateChange", "o", k72h, ""},
      {"bad url", "http://x/%zz", "resourceStateChange", "o", 0, "subscription URL"},
      {"missing scheme", "://x", "resourceStateChange", "o", 0, "subscription URL"},
      {"empty event type", "http://x", "", "o", 0, "event type"},
      {"empty owner", "http://x", "resourceStateChange", "", 0, "owner ID"},
      {"negative threshold", "http://x", "resourceStateChange", "o", -1, "72 hours"},
      {"threshold over 72h", "http://x", "resourceStateChange", "o", k72h + 1, "72 hours"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    CreateSubscriptionRequest r;
    r.name = "n";
    r.url = c.url;
    r.event_type = c.event_type;
    r.owner_id = c.owner;
    r.failure_threshold = c.threshold;
    auto v = r.Validate();
    auto s = r.ToSubscription();
    if (c.error_fragment.empty()) {
      EXPECT_TRUE(v) << v.error().message;
      ASSERT_TRUE(s);
    } else {
      ASSERT_FALSE(v);
      EXPECT_EQ(v.error().code, ErrorCode::kInvalidArgument);
      EXPECT_NE(v.error().message.find(c.error_fragment), std::string::npos) << v.error().message;
      EXPECT_FALSE(s);
    }
  }
}

TEST(CreateSubscriptionRequest, ToSubscriptionCopiesFields) {
  CreateSubscriptionRequest r{
      "n", "http://x", "o", "resourceStateChange", 5, Headers{{"A", "1", std::nullopt}}, "k"};
  auto s = r.ToSubscription();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->name, "n");
  EXPECT_EQ(s->url, "http://x");
  EXPECT_EQ(s->owner_id, "o");
  EXPECT_EQ(s->event_type, "resourceStateChange");
  EXPECT_EQ(s->failure_threshold, 5);
  EXPECT_EQ(s->last_delivery_status, SubscriptionDeliveryStatus::kNone);
  EXPECT_EQ(s->last_delivery_attempt_at, 0);
  EXPECT_EQ(s->headers, r.headers);
  EXPECT_EQ(s->secret, "k");
  EXPECT_EQ(s->id, "");
}

}  // namespace
}  // namespace cloud::model
