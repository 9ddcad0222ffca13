// SqlWebhookStore on both engines: create/get (headers as JSON), unique live URL, list by owner
// with paging, soft delete.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/sql_webhook_store.h"
#include "testlib/test_database.h"

namespace cloud::store {
namespace {

using model::Webhook;
using testlib::DatabaseTest;

class WebhookStoreTest : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    store_ = std::make_unique<SqlWebhookStore>(db(), clock_);
  }
  Webhook Create(const std::string& owner, const std::string& url) {
    Webhook w;
    w.owner_id = owner;
    w.url = url;
    auto created = store_->CreateWebhook(w);
    EXPECT_TRUE(created) << created.error().ToString();
    clock_.Advance(5);
    return created ? *created : w;
  }
  static std::vector<std::string> Ids(const std::vector<Webhook>& hooks) {
    std::vector<std::string> ids;
    for (const auto& h : hooks) ids.push_back(h.id);
    return ids;
  }
  std::unique_ptr<SqlWebhookStore> store_;
};

TEST_P(WebhookStoreTest, CreateGetWithAndWithoutHeaders) {
  Webhook w;
  w.owner_id = "owner";
  w.url = "https://example.com/hook";
  w.headers = model::Headers{{"X-One", std::string("1"), std::nullopt},
                             {"X-Env", std::nullopt, std::string("TOKEN_VAR")}};
  auto created = store_->CreateWebhook(w);
  ASSERT_TRUE(created) << created.error().ToString();
  EXPECT_EQ(created->create_at, clock_.NowMillis());
  auto got = store_->GetWebhook(created->id);
  ASSERT_TRUE(got && got->has_value());
  EXPECT_EQ(**got, *created);
  EXPECT_EQ((*got)->headers, w.headers);

  Webhook plain = Create("owner", "https://example.com/other");
  auto got_plain = store_->GetWebhook(plain.id);
  ASSERT_TRUE(got_plain && got_plain->has_value());
  EXPECT_FALSE((*got_plain)->headers.has_value());  // JSON null
  EXPECT_FALSE((*store_->GetWebhook("missing")).has_value());
}

TEST_P(WebhookStoreTest, UrlUniqueAmongLiveWebhooks) {
  Webhook first = Create("o", "https://a.example.com");
  Webhook dup;
  dup.owner_id = "o2";
  dup.url = "https://a.example.com";
  auto conflict = store_->CreateWebhook(dup);
  ASSERT_FALSE(conflict);
  EXPECT_EQ(conflict.error().code, ErrorCode::kAlreadyExists);
  ASSERT_TRUE(store_->DeleteWebhook(first.id));
  clock_.Advance(1);
  auto again = store_->CreateWebhook(dup);
  EXPECT_TRUE(again) << again.error().ToString();
}

TEST_P(WebhookStoreTest, ListOwnerPagingDeleted) {
  Webhook a = Create("o1", "https://a");
  Webhook b = Create("o2", "https://b");
  Webhook c = Create("o1", "https://c");
  ASSERT_TRUE(store_->DeleteWebhook(b.id));
  ASSERT_TRUE(store_->DeleteWebhook(b.id));  // already deleted: no-op
  EXPECT_EQ(store_->DeleteWebhook("missing").error().code, ErrorCode::kNotFound);
  struct Case {
    std::string name;
    model::WebhookFilter filter;
    std::vector<std::string> want;
  };
  std::vector<Case> cases;
  cases.push_back({"live, CreateAt ASC", {}, {a.id, c.id}});
  {
    model::WebhookFilter f;
    f.paging.include_deleted = true;
    cases.push_back({"with deleted", f, {a.id, b.id, c.id}});
  }
  {
    model::WebhookFilter f;
    f.owner_id = "o1";
    f.paging.per_page = 1;
    f.paging.page = 1;
    cases.push_back({"owner + paging", f, {c.id}});
  }
  {
    model::WebhookFilter f;
    f.paging = model::AllPagesNotDeleted();
    cases.push_back({"all pages", f, {a.id, c.id}});
  }
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    auto got = store_->GetWebhooks(tc.filter);
    ASSERT_TRUE(got) << got.error().ToString();
    EXPECT_EQ(Ids(*got), tc.want);
  }
}

CLOUD_INSTANTIATE_ENGINE_TESTS(WebhookStoreTest);

}  // namespace
}  // namespace cloud::store
