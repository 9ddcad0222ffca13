// SqlAnnotationStore on SQLite and PostgreSQL: get-or-create by name, links (duplicates ->
// kAlreadyExists, hard-deleted on unlink), per-resource lists and the "all of these" lookup.
#include <gtest/gtest.h>

#include "store/sql_annotation_store.h"
#include "testlib/test_database.h"

namespace cloud::store {
namespace {

class AnnotationStoreTest : public testlib::DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    store_ = std::make_unique<SqlAnnotationStore>(db());
  }
  std::unique_ptr<SqlAnnotationStore> store_;
};

TEST_P(AnnotationStoreTest, GetOrCreateIsIdempotentAndKeepsRequestOrder) {
  auto first = store_->GetOrCreateAnnotations({"zeta", "alpha", "zeta"});
  ASSERT_TRUE(first) << first.error().ToString();
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[0].name, "zeta");
  EXPECT_EQ((*first)[1].name, "alpha");
  auto again = store_->GetOrCreateAnnotations({"alpha", "beta"});
  ASSERT_TRUE(again);
  EXPECT_EQ((*again)[0], (*first)[1]);
  auto by_name = store_->GetAnnotationsByName({"zeta", "nope", "alpha"});
  ASSERT_TRUE(by_name);
  ASSERT_EQ(by_name->size(), 2u);
  EXPECT_EQ((*by_name)[0].name, "alpha");
}

TEST_P(AnnotationStoreTest, LinksPerResourceKindAndAllOfLookup) {
  for (AnnotatedResource kind :
       {AnnotatedResource::kCluster, AnnotatedResource::kInstallation, AnnotatedResource::kGroup}) {
    SCOPED_TRACE(static_cast<int>(kind));
    ASSERT_TRUE(store_->LinkAnnotations(kind, "r1", {"b", "a"}));
    ASSERT_TRUE(store_->LinkAnnotations(kind, "r2", {"a"}));
    auto dup = store_->LinkAnnotations(kind, "r2", {"c", "a"});
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().code, ErrorCode::kAlreadyExists);
    auto empty = store_->LinkAnnotations(kind, "r2", {});
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error().code, ErrorCode::kInvalidArgument);

    auto r1 = store_->GetAnnotationsFor(kind, "r1");
    ASSERT_TRUE(r1);
    ASSERT_EQ(r1->size(), 2u);
    EXPECT_EQ((*r1)[0].name, "a");
    auto r2 = store_->GetAnnotationsFor(kind, "r2");
    ASSERT_TRUE(r2);
    EXPECT_EQ(r2->size(), 1u);  // the failed link added nothing

    auto ab = store_->GetAnnotationsByName({"a", "b"});
    ASSERT_TRUE(ab && ab->size() == 2u);
    auto both = store_->GetResourcesWithAllAnnotations(kind, {(*ab)[0].id, (*ab)[1].id});
    ASSERT_TRUE(both);
    EXPECT_EQ(*both, (std::vector<std::string>{"r1"}));
    auto only_a = store_->GetResourcesWithAllAnnotations(kind, {(*ab)[0].id});
    ASSERT_TRUE(only_a);
    EXPECT_EQ(*only_a, (std::vector<std::string>{"r1", "r2"}));

    ASSERT_TRUE(store_->UnlinkAnnotation(kind, "r1", "b"));
    ASSERT_TRUE(store_->UnlinkAnnotation(kind, "r1", "unknown"));
    auto many = store_->GetAnnotationsForMany(kind, {"r1", "r2", "r3"});
    ASSERT_TRUE(many);
    EXPECT_EQ(many->size(), 2u);
    EXPECT_EQ(many->at("r1").size(), 1u);
  }
  // Annotation rows are never deleted (unlinking kept "b"), and the failed duplicate links
  // rolled back entirely: "c" was never created.
  auto rows = db().Query("SELECT Name FROM Annotation ORDER BY Name");
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].GetString(0), "a");
  EXPECT_EQ((*rows)[1].GetString(0), "b");
}

CLOUD_INSTANTIATE_ENGINE_TESTS(AnnotationStoreTest);

}  // namespace
}  // namespace cloud::store
