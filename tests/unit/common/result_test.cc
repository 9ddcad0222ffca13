#include "common/result.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace cloud {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgument("odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  CLOUD_TRY(int half, Half(x));
  CLOUD_TRY(int quarter, Half(half));
  return quarter;
}

Result<void> CheckEven(int x) {
  CLOUD_TRY_VOID(Half(x).has_value() ? Ok() : Result<void>(InvalidArgument("not even")));
  return Ok();
}

TEST(Result, HoldsValueOrError) {
  Result<int> ok = Half(4);
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, 2);
  Result<int> bad = Half(3);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.error().message, "odd");
  EXPECT_EQ(bad.value_or(-1), -1);
}

TEST(Result, TryPropagatesTheFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "odd");
  EXPECT_TRUE(CheckEven(2));
  EXPECT_EQ(CheckEven(3).error().message, "not even");
}

TEST(Result, MoveOnlyValues) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(7);
  ASSERT_TRUE(r);
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 7);
}

TEST(Error, WithContextChainsMessages) {
  Error e = NotFound("no cluster").WithContext("failed to lock");
  EXPECT_EQ(e.code, ErrorCode::kNotFound);
  EXPECT_EQ(e.message, "failed to lock: no cluster");
  EXPECT_EQ(e.ToString(), "not found: failed to lock: no cluster");
}

}  // namespace
}  // namespace cloud
