// SqlApiKeyStore and SqlAuditStore on both engines: create / look up by hash / list / revoke,
// and audit records newest first.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/sql_api_key_store.h"
#include "testlib/test_database.h"

namespace cloud::store {
namespace {

using testlib::DatabaseTest;

class ApiKeyStoreTest : public DatabaseTest {};

TEST_P(ApiKeyStoreTest, CreateLookUpListRevoke) {
  SqlApiKeyStore keys(db(), clock_);
  Result<ApiKey> a = keys.CreateApiKey("alpha", "hash-a");
  ASSERT_TRUE(a.has_value()) << a.error().message;
  EXPECT_EQ(a->id.size(), 26u);
  EXPECT_EQ(a->name, "alpha");
  EXPECT_EQ(a->create_at, clock_.NowMillis());
  EXPECT_EQ(a->revoked_at, 0);
  clock_.Advance(10);
  ASSERT_TRUE(keys.CreateApiKey("beta", "hash-b").has_value());

  Result<ApiKey> duplicate = keys.CreateApiKey("gamma", "hash-a");
  ASSERT_FALSE(duplicate.has_value());
  EXPECT_EQ(duplicate.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(keys.CreateApiKey("", "hash-c").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(keys.CreateApiKey("n", "").error().code, ErrorCode::kInvalidArgument);

  Result<std::optional<ApiKey>> found = keys.GetActiveApiKeyByHash("hash-a");
  ASSERT_TRUE(found.has_value());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->id, a->id);
  EXPECT_FALSE(keys.GetActiveApiKeyByHash("nope")->has_value());

  clock_.Advance(10);
  ASSERT_TRUE(keys.RevokeApiKey(a->id).has_value());
  EXPECT_FALSE(keys.GetActiveApiKeyByHash("hash-a")->has_value());
  ASSERT_TRUE(keys.RevokeApiKey(a->id).has_value());  // idempotent
  EXPECT_EQ(keys.RevokeApiKey("unknown").error().code, ErrorCode::kNotFound);

  Result<std::vector<ApiKey>> all = keys.ListApiKeys();
  ASSERT_TRUE(all.has_value());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].name, "alpha");
  EXPECT_EQ((*all)[0].revoked_at, clock_.NowMillis());
  EXPECT_EQ((*all)[1].name, "beta");
  EXPECT_EQ((*all)[1].revoked_at, 0);
}

TEST_P(ApiKeyStoreTest, AuditRecordsNewestFirst) {
  SqlAuditStore audit(db(), clock_);
  for (int i = 0; i < 3; ++i) {
    AuditRecord r;
    r.actor = "actor" + std::to_string(i);
    r.method = "POST";
    r.path = "/api/clusters";
    r.resource_id = "id" + std::to_string(i);
    r.status = 200 + i;
    Result<AuditRecord> added = audit.AppendAuditRecord(r);
    ASSERT_TRUE(added.has_value()) << added.error().message;
    EXPECT_EQ(added->create_at, clock_.NowMillis());
    clock_.Advance(1);
  }
  Result<std::vector<AuditRecord>> two = audit.ListAuditRecords(2);
  ASSERT_TRUE(two.has_value());
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[0].actor, "actor2");
  EXPECT_EQ((*two)[0].status, 202);
  EXPECT_EQ((*two)[1].resource_id, "id1");
  EXPECT_EQ(audit.ListAuditRecords(0)->size(), 0u);
  EXPECT_EQ(audit.ListAuditRecords(100)->size(), 3u);
}

CLOUD_INSTANTIATE_ENGINE_TESTS(ApiKeyStoreTest);

}  // namespace
}  // namespace cloud::store
