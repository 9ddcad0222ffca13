// Routes of spec upstream-api.md §3.11 (subscriptions) over real HTTP against a real SQLite
// store.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api_test_util.h"
#include "model/subscription.h"

namespace cloud::apitest {
namespace {

class SubscriptionRoutes : public OperationsApiTest {
 protected:
  std::string CreateSubscription(const std::string& owner, const std::string& event_type) {
    WireResponse r =
        Post("/api/subscriptions", R"({"URL":"https://example.com","OwnerID":")" + owner +
                                       R"(","EventType":")" + event_type + R"("})");
    EXPECT_EQ(r.status, 202) << r.body;
    return r.Json()["ID"];
  }
};

TEST_P(SubscriptionRoutes, CreateIs202WithSubscriptionJson) {
  WireResponse r = Post("/api/subscriptions",
                        R"({"Name":"sub","URL":"https://example.com/events","OwnerID":"me",)"
                        R"("EventType":"resourceStateChange","FailureThreshold":60000000000,)"
                        R"("Headers":[{"key":"Authorization","value_from_env":"TOKEN"}]})");
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.Header("content-type"), "application/json");
  std::string id = r.Json()["ID"];
  std::string expected =
      R"({"ID":")" + id +
      R"(","Name":"sub","URL":"https://example.com/events","OwnerID":"me",)"
      R"("EventType":"resourceStateChange","LastDeliveryStatus":"","LastDeliveryAttemptAt":0,)"
      R"("FailureThreshold":60000000000,"CreateAt":)" +
      std::to_string(clock_.NowMillis()) +
      R"(,"DeleteAt":0,"LockAcquiredBy":null,"LockAcquiredAt":0,)"
      R"("Headers":[{"key":"Authorization","value_from_env":"TOKEN"}]})"
      "\n";
  EXPECT_EQ(r.body, expected);
  EXPECT_EQ(Get("/api/subscription/" + id).body, expected);
}

TEST_P(SubscriptionRoutes, CreateValidation) {
  const std::string max = std::to_string(model::kMaxSubscriptionFailureThresholdNs);
  const std::string over = std::to_string(model::kMaxSubscriptionFailureThresholdNs + 1);
  struct Case {
    std::string name;
    std::string body;
    int status;
  };
  std::vector<Case> cases = {
      {"malformed", "{{", 400},
      {"empty body: no event type", "", 400},
      {"bad url", R"({"URL":"://nope","OwnerID":"o","EventType":"t"})", 400},
      {"no event type", R"({"URL":"https://x","OwnerID":"o"})", 400},
      {"no owner", R"({"URL":"https://x","EventType":"t"})", 400},
      {"negative threshold",
       R"({"URL":"https://x","OwnerID":"o","EventType":"t",)"
       R"("FailureThreshold":-1})",
       400},
      {"threshold over 72h",
       R"({"URL":"https://x","OwnerID":"o","EventType":"t","FailureThreshold":)" + over + "}", 400},
      {"threshold of 72h",
       R"({"URL":"https://x","OwnerID":"o","EventType":"t","FailureThreshold":)" + max + "}", 202},
      {"any event type", R"({"URL":"http://x","OwnerID":"o","EventType":"x"})", 202},
      // Beyond upstream (src/events/README.md): deliveries need an absolute http(s) URL.
      {"relative url", R"({"URL":"not/absolute","OwnerID":"o","EventType":"x"})", 400},
      {"non-http url", R"({"URL":"ftp://x/y","OwnerID":"o","EventType":"x"})", 400},
      {"float threshold",
       R"({"URL":"https://x","OwnerID":"o","EventType":"t",)"
       R"("FailureThreshold":1.5})",
       400},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    WireResponse r = Post("/api/subscriptions", c.body);
    EXPECT_EQ(r.status, c.status) << r.body;
  }
}

TEST_P(SubscriptionRoutes, ListIsNewestFirstWithFilters) {
  EXPECT_EQ(Get("/api/subscriptions").body, "[]\n");
  std::string a = CreateSubscription("alice", "resourceStateChange");
  clock_.Advance(1);
  std::string b = CreateSubscription("bob", "resourceStateChange");
  clock_.Advance(1);
  std::string c = CreateSubscription("alice", "other");

  auto ids = [&](const std::string& query) {
    WireResponse r = Get("/api/subscriptions" + query);
    EXPECT_EQ(r.status, 200);
    std::vector<std::string> out;
    for (const auto& item : r.Json()) out.push_back(item["ID"]);
    return out;
  };
  EXPECT_EQ(ids(""), (std::vector<std::string>{c, b, a}));
  EXPECT_EQ(ids("?owner=alice"), (std::vector<std::string>{c, a}));
  EXPECT_EQ(ids("?event_type=resourceStateChange"), (std::vector<std::string>{b, a}));
  EXPECT_EQ(ids("?owner=alice&event_type=other"), (std::vector<std::string>{c}));
  EXPECT_EQ(ids("?per_page=2&page=1"), (std::vector<std::string>{a}));
  ASSERT_EQ(Delete("/api/subscription/" + b).status, 200);
  EXPECT_EQ(ids(""), (std::vector<std::string>{c, a}));
  EXPECT_EQ(ids("?include_deleted=true"), (std::vector<std::string>{c, b, a}));
  EXPECT_EQ(Get("/api/subscriptions?per_page=x").status, 400);
}

TEST_P(SubscriptionRoutes, GetAndDelete) {
  std::string id = CreateSubscription("owner", "resourceStateChange");
  EXPECT_EQ(Get("/api/subscription/" + NewId()).status, 404);
  EXPECT_EQ(Delete("/api/subscription/" + NewId()).status, 404);
  EXPECT_EQ(Get("/api/subscription/abc").body, "404 page not found\n");

  WireResponse deleted = Delete("/api/subscription/" + id);
  EXPECT_EQ(deleted.status, 200);
  EXPECT_EQ(deleted.body, "");
  EXPECT_GT(Get("/api/subscription/" + id).Json()["DeleteAt"].get<int64_t>(), 0);
  EXPECT_EQ(Delete("/api/subscription/" + id).status, 400);
  EXPECT_EQ(Post("/api/subscription/" + id).status, 405);
}

CLOUD_INSTANTIATE_ENGINE_TESTS(SubscriptionRoutes);

}  // namespace
}  // namespace cloud::apitest
