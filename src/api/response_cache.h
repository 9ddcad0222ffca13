// ResponseCache: response bodies of a read route, reused while the database is unchanged.
//
// Each body is kept with the database's commit version (SqlDatabase::CommitVersion) read before
// the body was built, and served again only while that version still holds: any commit, by this
// process or another, moves the version and so retires every body at once. A request that
// cannot learn the version (PostgreSQL, busy read connections) builds its body afresh and keeps
// nothing. What is served is therefore what a fresh read would have returned at the moment the
// version was checked.
//
// Bounded by total body bytes; when a shard is over its share it is emptied. Thread-safe: the
// keys are spread over shards with a mutex each.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/result.h"

namespace cloud::api {

class ResponseCache {
 public:
  using VersionFn = std::function<Result<std::optional<uint64_t>>()>;
  // The same version when it can be read without blocking, else nullopt
  // (SqlDatabase::CommitVersionFromMemory).
  using MemoryVersionFn = std::function<std::optional<uint64_t>()>;

  // `version` is called once per lookup (see SqlDatabase::CommitVersion); `memory_version`
  // once per Find (empty: Find never finds).
  ResponseCache(VersionFn version, size_t max_bytes, MemoryVersionFn memory_version = {});
  ResponseCache(const ResponseCache&) = delete;
  ResponseCache& operator=(const ResponseCache&) = delete;

  // The body kept for `key` when the version has not moved since it was built; otherwise
  // `build()`'s body, kept for the next lookup. An error of `build` is returned and nothing is
  // kept (so "not found" is always read afresh).
  Result<std::shared_ptr<const std::string>> GetOrBuild(
      std::string_view key, const std::function<Result<std::string>()>& build);

  // The body kept for `key` when `memory_version` shows it still holds; otherwise null, and
  // the caller goes on to GetOrBuild. Never reads the store and never blocks on I/O, so an
  // I/O thread may serve what it finds. A find counts as a hit; not finding counts nothing.
  std::shared_ptr<const std::string> Find(std::string_view key);

  struct Stats {
    uint64_t hits = 0;
    uint64_t misses = 0;    // read from the store at a version (kept unless the read failed)
    uint64_t uncached = 0;  // read from the store without a version: not kept
  };
  Stats stats() const;

 private:
  struct Entry {
    uint64_t version;
    std::shared_ptr<const std::string> body;
  };
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, Entry, StringHash, std::equal_to<>> entries;
    size_t bytes = 0;
  };
  static constexpr size_t kShards = 16;

  Shard& ShardOf(std::string_view key) { return shards_[StringHash{}(key) % kShards]; }
  void Keep(Shard& shard, std::string_view key, Entry entry);

  const VersionFn version_;
  const MemoryVersionFn memory_version_;
  const size_t max_shard_bytes_;
  std::array<Shard, kShards> shards_;
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
  std::atomic<uint64_t> uncached_{0};
};

}  // namespace cloud::api
