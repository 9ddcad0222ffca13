// SqlDNSRecordStore on SQLite and PostgreSQL: add, uniqueness among live records, lists,
// switching the primary record and soft delete by installation + domain.
#include <gtest/gtest.h>

#include "store/sql_dns_record_store.h"
#include "testlib/test_database.h"

namespace cloud::store {
namespace {

class DNSRecordStoreTest : public testlib::DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    store_ = std::make_unique<SqlDNSRecordStore>(db(), clock_);
  }
  std::unique_ptr<SqlDNSRecordStore> store_;
};

TEST_P(DNSRecordStoreTest, AddListSwitchPrimaryAndDelete) {
  auto a = store_->CreateInstallationDNS("i1", "a.example.com");
  ASSERT_TRUE(a) << a.error().ToString();
  EXPECT_FALSE(a->is_primary);
  EXPECT_EQ(a->create_at, clock_.NowMillis());
  clock_.Advance(5);
  auto b = store_->CreateInstallationDNS("i1", "b.example.com");
  ASSERT_TRUE(b);
  auto other = store_->CreateInstallationDNS("i2", "c.example.com");
  ASSERT_TRUE(other);
  auto dup = store_->CreateInstallationDNS("i2", "a.example.com");
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::kAlreadyExists);

  ASSERT_TRUE(store_->SwitchPrimaryInstallationDNS("i1", a->id));
  ASSERT_TRUE(store_->SwitchPrimaryInstallationDNS("i1", b->id));
  auto records = store_->GetDNSRecordsForInstallation("i1");
  ASSERT_TRUE(records);
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0].domain_name, "a.example.com");
  EXPECT_FALSE((*records)[0].is_primary);
  EXPECT_TRUE((*records)[1].is_primary);
  auto wrong = store_->SwitchPrimaryInstallationDNS("i1", other->id);  // not i1's record
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::kNotFound);
  records = store_->GetDNSRecordsForInstallation("i1");
  ASSERT_TRUE(records);
  EXPECT_TRUE((*records)[1].is_primary);  // rolled back

  clock_.Advance(5);
  ASSERT_TRUE(store_->DeleteInstallationDNS("i1", "a.example.com"));
  ASSERT_TRUE(store_->DeleteInstallationDNS("i1", "a.example.com"));  // no-op
  records = store_->GetDNSRecordsForInstallation("i1");
  ASSERT_TRUE(records);
  ASSERT_EQ(records->size(), 1u);
  auto deleted = store_->GetInstallationDNS(a->id);
  ASSERT_TRUE(deleted && deleted->has_value());
  EXPECT_EQ((*deleted)->delete_at, clock_.NowMillis());
  // The domain is free again once its record is deleted.
  ASSERT_TRUE(store_->CreateInstallationDNS("i2", "a.example.com"));
  auto many = store_->GetDNSRecordsForInstallations({"i1", "i2", "i3"});
  ASSERT_TRUE(many);
  EXPECT_EQ(many->size(), 2u);
  EXPECT_EQ(many->at("i2").size(), 2u);
  auto none = store_->GetInstallationDNS("nope");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
}

CLOUD_INSTANTIATE_ENGINE_TESTS(DNSRecordStoreTest);

}  // namespace
}  // namespace cloud::store
