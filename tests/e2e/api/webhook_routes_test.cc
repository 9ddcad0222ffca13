// Routes of spec upstream-api.md §3.8 (legacy webhooks) over real HTTP against a real SQLite
// store.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api_test_util.h"

namespace cloud::apitest {
namespace {

class WebhookRoutes : public OperationsApiTest {
 protected:
  std::string CreateWebhook(const std::string& owner, const std::string& url) {
    WireResponse r =
        Post("/api/webhooks", R"({"OwnerID":")" + owner + R"(","URL":")" + url + R"("})");
    EXPECT_EQ(r.status, 202) << r.body;
    return r.Json()["ID"];
  }
};

TEST_P(WebhookRoutes, CreateIs202WithWebhookJson) {
  WireResponse r =
      Post("/api/webhooks", R"({"OwnerID":"owner1","URL":"https://example.com/hook"})");
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.Header("content-type"), "application/json");
  std::string id = r.Json()["ID"];
  EXPECT_EQ(r.body, R"({"ID":")" + id +
                        R"(","OwnerID":"owner1","URL":"https://example.com/hook","CreateAt":)" +
                        std::to_string(clock_.NowMillis()) +
                        R"(,"DeleteAt":0,"Headers":null})"
                        "\n");
  EXPECT_EQ(Get("/api/webhook/" + id).body, r.body);

  WireResponse with_headers =
      Post("/api/webhooks",
           R"({"ownerid":"o","url":"http://h:8080/x","Headers":[{"key":"A","value":"1"},)"
           R"({"key":"A","value_from_env":"HOME","value":"both"}]})");
  ASSERT_EQ(with_headers.status, 202) << with_headers.body;  // headers are not validated
  EXPECT_EQ(with_headers.Json()["Headers"].dump(),
            R"([{"key":"A","value":"1"},{"key":"A","value":"both","value_from_env":"HOME"}])");
}

// Beyond upstream (src/events/README.md): an optional signing secret, stored, never returned.
TEST_P(WebhookRoutes, SecretIsStoredButNeverReturned) {
  WireResponse r =
      Post("/api/webhooks", R"({"OwnerID":"o","URL":"https://example.com/s","Secret":"hush-123"})");
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.body.find("hush-123"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("Secret"), std::string::npos) << r.body;
  std::string id = r.Json()["ID"];
  WireResponse got = Get("/api/webhook/" + id);
  EXPECT_EQ(got.body.find("hush-123"), std::string::npos) << got.body;
  EXPECT_EQ(Get("/api/webhooks").body.find("hush-123"), std::string::npos);
}

TEST_P(WebhookRoutes, CreateRejections) {
  CreateWebhook("owner", "https://taken.example.com");
  struct Case {
    std::string name;
    std::string body;
    int status;
  };
  std::vector<Case> cases = {
      {"malformed", "{", 400},
      {"empty body", "", 400},
      {"missing owner", R"({"URL":"https://example.com"})", 400},
      {"missing url", R"({"OwnerID":"o"})", 400},
      {"relative url", R"({"OwnerID":"o","URL":"example.com/hook"})", 400},
      {"ftp scheme", R"({"OwnerID":"o","URL":"ftp://example.com"})", 400},
      {"no host", R"({"OwnerID":"o","URL":"http:///path"})", 400},
      {"wrong type", R"({"OwnerID":1,"URL":"https://example.com"})", 400},
      {"duplicate live url", R"({"OwnerID":"o2","URL":"https://taken.example.com"})", 409},
      {"upper-case scheme", R"({"OwnerID":"o","URL":"HTTPS://Example.com"})", 202},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    WireResponse r = Post("/api/webhooks", c.body);
    EXPECT_EQ(r.status, c.status) << r.body;
  }
}

TEST_P(WebhookRoutes, ListFiltersByOwnerAndPages) {
  EXPECT_EQ(Get("/api/webhooks").body, "[]\n");
  std::string a = CreateWebhook("alice", "https://a.example.com");
  clock_.Advance(1);
  std::string b = CreateWebhook("bob", "https://b.example.com");
  clock_.Advance(1);
  std::string c = CreateWebhook("alice", "https://c.example.com");
  ASSERT_EQ(Delete("/api/webhook/" + c).status, 200);

  auto ids = [&](const std::string& query) {
    WireResponse r = Get("/api/webhooks" + query);
    EXPECT_EQ(r.status, 200);
    std::vector<std::string> out;
    for (const auto& item : r.Json()) out.push_back(item["ID"]);
    return out;
  };
  EXPECT_EQ(ids(""), (std::vector<std::string>{a, b}));
  EXPECT_EQ(ids("?owner=alice"), (std::vector<std::string>{a}));
  EXPECT_EQ(ids("?owner=alice&include_deleted=true"), (std::vector<std::string>{a, c}));
  EXPECT_EQ(ids("?owner=nobody"), (std::vector<std::string>{}));
  EXPECT_EQ(ids("?per_page=1&page=1"), (std::vector<std::string>{b}));
  EXPECT_EQ(ids("?per_page=-1&include_deleted=1"), (std::vector<std::string>{a, b, c}));
  EXPECT_EQ(Get("/api/webhooks?page=one").status, 400);
}

TEST_P(WebhookRoutes, GetAndDelete) {
  std::string id = CreateWebhook("owner", "https://example.com");
  EXPECT_EQ(Get("/api/webhook/" + NewId()).status, 404);
  EXPECT_EQ(Delete("/api/webhook/" + NewId()).status, 404);
  EXPECT_EQ(Get("/api/webhook/not-an-id").body, "404 page not found\n");

  WireResponse deleted = Delete("/api/webhook/" + id);
  EXPECT_EQ(deleted.status, 200);
  EXPECT_EQ(deleted.body, "");
  EXPECT_GT(Get("/api/webhook/" + id).Json()["DeleteAt"].get<int64_t>(), 0);
  EXPECT_EQ(Delete("/api/webhook/" + id).status, 400);

  // The URL is free again once the webhook is deleted.
  CreateWebhook("owner", "https://example.com");
}

CLOUD_INSTANTIATE_ENGINE_TESTS(WebhookRoutes);

}  // namespace
}  // namespace cloud::apitest
