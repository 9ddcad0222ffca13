#include "api/response_cache.h"

#include <utility>

namespace cloud::api {

ResponseCache::ResponseCache(VersionFn version, size_t max_bytes, MemoryVersionFn memory_version)
    : version_(std::move(version)),
      memory_version_(std::move(memory_version)),
      max_shard_bytes_(max_bytes / kShards) {}

std::shared_ptr<const std::string> ResponseCache::Find(std::string_view key) {
  if (!memory_version_) return nullptr;
  const std::optional<uint64_t> version = memory_version_();
  if (!version) return nullptr;
  Shard& shard = ShardOf(key);
  std::lock_guard lock(shard.mu);
  auto found = shard.entries.find(key);
  if (found == shard.entries.end() || found->second.version != *version) return nullptr;
  hits_.fetch_add(1, std::memory_order_relaxed);
  return found->second.body;
}

Result<std::shared_ptr<const std::string>> ResponseCache::GetOrBuild(
    std::string_view key, const std::function<Result<std::string>()>& build) {
  Result<std::optional<uint64_t>> version = version_();
  if (!version || !version->has_value()) {
    // No version: build afresh, keep nothing (and a failed check is no reason to fail a read).
    uncached_.fetch_add(1, std::memory_order_relaxed);
    CLOUD_TRY(std::string body, build());
    return std::make_shared<const std::string>(std::move(body));
  }
  Shard& shard = ShardOf(key);
  {
    std::lock_guard lock(shard.mu);
    auto found = shard.entries.find(key);
    if (found != shard.entries.end() && found->second.version == **version) {
      hits_.fetch_add(1, std::memory_order_relaxed);
      return found->second.body;
    }
  }
  // Built from reads that start after the version was taken: at least as new as the version.
  misses_.fetch_add(1, std::memory_order_relaxed);
  CLOUD_TRY(std::string built, build());
  auto body = std::make_shared<const std::string>(std::move(built));
  Keep(shard, key, Entry{**version, body});
  return body;
}

void ResponseCache::Keep(Shard& shard, std::string_view key, Entry entry) {
  const size_t size = key.size() + entry.body->size();
  if (size > max_shard_bytes_) return;
  std::lock_guard lock(shard.mu);
  auto found = shard.entries.find(key);
  if (found != shard.entries.end()) {
    // A concurrent build may have kept a body of a newer version: keep the newer one.
    if (found->second.version > entry.version) return;
    shard.bytes -= key.size() + found->second.body->size();
    shard.bytes += size;
    found->second = std::move(entry);
    return;
  }
  if (shard.bytes + size > max_shard_bytes_) {
    shard.entries.clear();
    shard.bytes = 0;
  }
  shard.entries.emplace(std::string(key), std::move(entry));
  shard.bytes += size;
}

ResponseCache::Stats ResponseCache::stats() const {
  return Stats{hits_.load(std::memory_order_relaxed), misses_.load(std::memory_order_relaxed),
               uncached_.load(std::memory_order_relaxed)};
}

}  // namespace cloud::api
