#include "common/id.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace cloud {
namespace {

TEST(Id, HasUpstreamShape) {
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) {
    const std::string id = NewId();
    ASSERT_EQ(id.size(), 26u);
    for (char c : id) ASSERT_NE(kIdAlphabet.find(c), std::string_view::npos) << id;
    // 128 bits leave 3 bits for the 26th character: only 8 letters can end an ID.
    ASSERT_NE(std::string_view("yrecowah").find(id.back()), std::string_view::npos) << id;
    EXPECT_TRUE(IsValidIdShape(id));
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 2000u);
}

TEST(Id, ClusterIdsStartWithALetter) {
  for (int i = 0; i < 2000; ++i) {
    const std::string id = NewClusterId();
    ASSERT_TRUE(id[0] >= 'a' && id[0] <= 'z') << id;
    ASSERT_EQ(id.size(), 26u);
  }
}

TEST(Id, ShapeCheck) {
  EXPECT_FALSE(IsValidIdShape(""));
  EXPECT_FALSE(IsValidIdShape("abc"));
  EXPECT_FALSE(IsValidIdShape("abcdefghijklmnopqrstuvwxy_"));
  EXPECT_TRUE(IsValidIdShape("ABCDEFGHIJKLMNOPQRSTUVWXY1"));
}

}  // namespace
}  // namespace cloud
