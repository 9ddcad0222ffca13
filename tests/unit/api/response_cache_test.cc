// ResponseCache: a body is reused only while the version it was built at still holds; no version
// means no reuse; failed builds are never kept; the byte bound; a slow build of an old version
// does not replace a newer body.
#include "api/response_cache.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "common/error.h"

namespace cloud::api {
namespace {

// The version the cache sees, set by the test; nullopt = "cannot tell".
struct TestVersion {
  std::optional<uint64_t> value = 1;
  bool fail = false;
  ResponseCache::VersionFn Fn() {
    return [this]() -> Result<std::optional<uint64_t>> {
      if (fail) return Unavailable("version check failed");
      return value;
    };
  }
};

// A build that counts its calls and returns "<text>#<call>".
struct CountingBuild {
  std::string text = "body";
  int calls = 0;
  std::function<Result<std::string>()> Fn() {
    return [this]() -> Result<std::string> { return text + "#" + std::to_string(++calls); };
  }
};

std::string Get(ResponseCache& cache, std::string_view key,
                const std::function<Result<std::string>()>& build) {
  Result<std::shared_ptr<const std::string>> body = cache.GetOrBuild(key, build);
  EXPECT_TRUE(body.has_value()) << (body ? "" : body.error().message);
  return body ? **body : "";
}

TEST(ResponseCacheTest, ReusesABodyUntilTheVersionMoves) {
  TestVersion version;
  ResponseCache cache(version.Fn(), 1 << 20);
  CountingBuild a, b;
  EXPECT_EQ(Get(cache, "a", a.Fn()), "body#1");
  EXPECT_EQ(Get(cache, "a", a.Fn()), "body#1");
  EXPECT_EQ(Get(cache, "b", b.Fn()), "body#1");  // keys are separate
  EXPECT_EQ(a.calls, 1);

  version.value = 2;  // something was committed: every body is rebuilt once
  EXPECT_EQ(Get(cache, "a", a.Fn()), "body#2");
  EXPECT_EQ(Get(cache, "a", a.Fn()), "body#2");
  EXPECT_EQ(Get(cache, "b", b.Fn()), "body#2");
  EXPECT_EQ(a.calls, 2);
  EXPECT_EQ(b.calls, 2);

  ResponseCache::Stats stats = cache.stats();
  EXPECT_EQ(stats.hits, 2u);
  EXPECT_EQ(stats.misses, 4u);
  EXPECT_EQ(stats.uncached, 0u);
}

TEST(ResponseCacheTest, WithoutAVersionEveryLookupBuildsAndNothingIsKept) {
  TestVersion version;
  version.value = std::nullopt;
  ResponseCache cache(version.Fn(), 1 << 20);
  CountingBuild a;
  EXPECT_EQ(Get(cache, "a", a.Fn()), "body#1");
  EXPECT_EQ(Get(cache, "a", a.Fn()), "body#2");
  version.fail = true;  // a failed check is no reason to fail the read
  EXPECT_EQ(Get(cache, "a", a.Fn()), "body#3");
  // Back to a version: what was built without one was not kept.
  version.fail = false;
  version.value = 7;
  EXPECT_EQ(Get(cache, "a", a.Fn()), "body#4");
  EXPECT_EQ(cache.stats().uncached, 3u);
}

TEST(ResponseCacheTest, AFailedBuildIsReturnedAndNotKept) {
  TestVersion version;
  ResponseCache cache(version.Fn(), 1 << 20);
  int calls = 0;
  auto missing = [&]() -> Result<std::string> {
    ++calls;
    return NotFound("installation x not found");
  };
  Result<std::shared_ptr<const std::string>> first = cache.GetOrBuild("x", missing);
  ASSERT_FALSE(first.has_value());
  EXPECT_EQ(first.error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(cache.GetOrBuild("x", missing).has_value());
  EXPECT_EQ(calls, 2);
  CountingBuild x;  // created meanwhile: found at the same version
  EXPECT_EQ(Get(cache, "x", x.Fn()), "body#1");
}

TEST(ResponseCacheTest, KeepsAtMostItsBytes) {
  TestVersion version;
  // 16 shards of 1 KiB: a 2 KiB body is never kept; 100-byte bodies are, until a shard is full.
  ResponseCache cache(version.Fn(), 16 * 1024);
  CountingBuild big;
  big.text = std::string(2048, 'x');
  Get(cache, "big", big.Fn());
  Get(cache, "big", big.Fn());
  EXPECT_EQ(big.calls, 2);

  std::vector<CountingBuild> small(400);
  for (size_t i = 0; i < small.size(); ++i) {
    small[i].text = std::string(100, 's');
    Get(cache, "k" + std::to_string(i), small[i].Fn());
  }
  int rebuilt = 0;
  for (size_t i = 0; i < small.size(); ++i) {
    Get(cache, "k" + std::to_string(i), small[i].Fn());
    rebuilt += small[i].calls - 1;
  }
  // 400 bodies of ~103 bytes are 40 KiB, over the 16 KiB bound: some were dropped (and at most
  // 16 KiB / 103 bytes of them stayed).
  EXPECT_GT(rebuilt, 0);
  EXPECT_GE(rebuilt, 400 - 16 * 1024 / 103);
}

TEST(ResponseCacheTest, ABuildOfAnOlderVersionDoesNotReplaceANewerBody) {
  TestVersion version;
  ResponseCache cache(version.Fn(), 1 << 20);
  CountingBuild fresh;
  // While "k" is being built at version 1, another lookup builds it at version 2.
  auto slow = [&]() -> Result<std::string> {
    version.value = 2;
    EXPECT_EQ(Get(cache, "k", fresh.Fn()), "body#1");
    return std::string("old");
  };
  EXPECT_EQ(Get(cache, "k", slow), "old");  // the caller still gets what it built
  EXPECT_EQ(Get(cache, "k", fresh.Fn()), "body#1");
  EXPECT_EQ(fresh.calls, 1);
}

// Find (for the I/O thread) serves a kept body only while the in-memory version still equals
// the one it was built at; it never builds, and without a memory version it never finds.
TEST(ResponseCache, FindServesOnlyWhatTheMemoryVersionStillHolds) {
  TestVersion version;
  std::optional<uint64_t> memory_version = 1;
  ResponseCache cache(version.Fn(), 1 << 20, [&] { return memory_version; });
  CountingBuild build;
  EXPECT_EQ(cache.Find("a"), nullptr);  // nothing kept yet
  EXPECT_EQ(Get(cache, "a", build.Fn()), "body#1");
  std::shared_ptr<const std::string> found = cache.Find("a");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(*found, "body#1");
  EXPECT_EQ(cache.Find("b"), nullptr);
  EXPECT_EQ(cache.stats().hits, 1u);

  memory_version = 2;  // a commit since the body was built
  EXPECT_EQ(cache.Find("a"), nullptr);
  memory_version.reset();  // cannot tell from memory
  EXPECT_EQ(cache.Find("a"), nullptr);
  EXPECT_EQ(build.calls, 1);  // Find never builds
  EXPECT_EQ(cache.stats().hits, 1u);

  version.value = 2;
  memory_version = 2;
  EXPECT_EQ(Get(cache, "a", build.Fn()), "body#2");
  ASSERT_NE(cache.Find("a"), nullptr);
  EXPECT_EQ(*cache.Find("a"), "body#2");

  ResponseCache without(version.Fn(), 1 << 20);
  EXPECT_EQ(Get(without, "a", build.Fn()), "body#3");
  EXPECT_EQ(without.Find("a"), nullptr);
}

}  // namespace
}  // namespace cloud::api
