// The subscription delivery routes (beyond upstream; src/events/README.md) registered with the
// rest of the API by RegisterApiRoutes, over real HTTP on SQLite and PostgreSQL: listing and
// redelivering (which wakes the delivery workers), and the same authentication as every route
// (--require-api-key: 401 without a key).
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>

#include "api/auth.h"
#include "api_test_util.h"
#include "store/sql_api_key_store.h"
#include "store/sql_delivery_admin.h"

namespace cloud::apitest {
namespace {

class DeliveryRoutes : public OperationsApiTest {
 protected:
  void ConfigureOperationDeps(api::ApiDeps& deps) override {
    delivery_admin_ = std::make_unique<store::SqlDeliveryAdmin>(test_db_->db(), clock_);
    deps.deliveries = delivery_admin_.get();
    deps.wake_event_delivery = [this] { ++delivery_wakes_; };
  }

  // A subscription created through the API, then one installation (one state change event).
  // Returns the subscription's ID.
  std::string SubscribeAndChangeState(const std::vector<std::string>& headers = {}) {
    WireResponse r = client_->Request(
        "POST", "/api/subscriptions",
        R"({"URL":"https://example.com/hook","OwnerID":"me","EventType":"resourceStateChange"})",
        headers);
    EXPECT_EQ(r.status, 202) << r.body;
    MakeInstallation("delivery-routes", model::InstallationState::kCreationRequested);
    return r.Field("ID");
  }

  std::unique_ptr<store::SqlDeliveryAdmin> delivery_admin_;
  std::atomic<int> delivery_wakes_{0};
};

TEST_P(DeliveryRoutes, ListAndRedeliver) {
  const std::string sub = SubscribeAndChangeState();
  WireResponse listed = Get("/api/subscription/" + sub + "/deliveries");
  ASSERT_EQ(listed.status, 200) << listed.body;
  nlohmann::ordered_json rows = listed.Json();
  ASSERT_TRUE(rows.is_array()) << listed.body;
  ASSERT_EQ(rows.size(), 1u) << listed.body;
  EXPECT_EQ(rows[0]["SubscriptionID"], sub);
  EXPECT_EQ(rows[0]["Status"], "not-attempted");
  const std::string event = rows[0]["EventID"];

  WireResponse again = Post("/api/subscription/" + sub + "/redeliver/" + event);
  EXPECT_EQ(again.status, 202) << again.body;
  EXPECT_EQ(again.Field("EventID"), event);
  EXPECT_EQ(delivery_wakes_.load(), 1);

  EXPECT_EQ(Get("/api/subscription/" + NewId() + "/deliveries").status, 404);
  EXPECT_EQ(Post("/api/subscription/" + sub + "/redeliver/" + NewId()).status, 404);
  EXPECT_EQ(Get("/api/subscription/" + sub + "/deliveries?page=-1").status, 400);
  EXPECT_EQ(delivery_wakes_.load(), 1);

  // Deleting the subscription fails its pending deliveries (they would wait forever).
  ASSERT_EQ(Delete("/api/subscription/" + sub).status, 200);
  WireResponse after = Get("/api/subscription/" + sub + "/deliveries");
  ASSERT_EQ(after.status, 200) << after.body;
  ASSERT_EQ(after.Json().size(), 1u) << after.body;
  EXPECT_EQ(after.Json()[0]["Status"], "failed");
  EXPECT_EQ(after.Json()[0]["LastError"], "target deleted");
  EXPECT_EQ(Post("/api/subscription/" + sub + "/redeliver/" + event).status, 400);
}

// --require-api-key: the delivery routes are authenticated like every other route.
class DeliveryRoutesWithApiKey : public DeliveryRoutes {
 protected:
  void ConfigureOperationDeps(api::ApiDeps& deps) override {
    DeliveryRoutes::ConfigureOperationDeps(deps);
    api_keys_ = std::make_unique<store::SqlApiKeyStore>(test_db_->db(), clock_);
    api::AuthOptions options;
    options.require_api_key = true;
    Result<api::Authenticator> auth = api::MakeAuthenticator(options, api_keys_.get(), logger_.log);
    ASSERT_TRUE(auth.has_value()) << auth.error().message;
    env_.authenticate = *auth;
  }

  std::unique_ptr<store::SqlApiKeyStore> api_keys_;
};

TEST_P(DeliveryRoutesWithApiKey, AnswerUnauthorizedWithoutKey) {
  const std::string key = api::GenerateApiKey();
  ASSERT_TRUE(api_keys_->CreateApiKey("operator", api::HashApiKey(key)).has_value());
  const std::string auth = "Authorization: Bearer " + key;
  const std::string sub = SubscribeAndChangeState({auth});
  ASSERT_FALSE(sub.empty());

  const std::string list = "/api/subscription/" + sub + "/deliveries";
  EXPECT_EQ(Get(list).status, 401);
  EXPECT_EQ(
      client_->Request("GET", list, "", {"Authorization: Bearer " + api::GenerateApiKey()}).status,
      401);
  WireResponse listed = client_->Request("GET", list, "", {auth});
  ASSERT_EQ(listed.status, 200) << listed.body;
  ASSERT_EQ(listed.Json().size(), 1u);
  const std::string event = listed.Json()[0]["EventID"];

  const std::string redeliver = "/api/subscription/" + sub + "/redeliver/" + event;
  EXPECT_EQ(Post(redeliver).status, 401);
  EXPECT_EQ(delivery_wakes_.load(), 0);
  EXPECT_EQ(client_->Request("POST", redeliver, "", {auth}).status, 202);
  EXPECT_EQ(delivery_wakes_.load(), 1);
}

CLOUD_INSTANTIATE_ENGINE_TESTS(DeliveryRoutes);
CLOUD_INSTANTIATE_ENGINE_TESTS(DeliveryRoutesWithApiKey);

}  // namespace
}  // namespace cloud::apitest
