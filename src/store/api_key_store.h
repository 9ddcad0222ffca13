// ApiKeyStore: our API keys (APIKey table, migration 0.55.0-cloud.2) and AuditStore: the
// audit log of mutating API requests (AuditLog table, 0.55.0-cloud.3). Not in upstream.
// Only a SHA-256 hash of a key is stored; the key itself is shown once by `cloud apikey create`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace cloud::store {

struct ApiKey {
  std::string id;
  std::string name;
  int64_t create_at = 0;   // ms
  int64_t revoked_at = 0;  // ms; 0 = active
};

// Thread-safe.
class ApiKeyStore {
 public:
  virtual ~ApiKeyStore() = default;

  // Inserts a key with a new ID and CreateAt = now. `hash` is the lower-case hex SHA-256 of
  // the key. Errors: kInvalidArgument for an empty name or hash; kAlreadyExists for a
  // duplicate hash.
  virtual Result<ApiKey> CreateApiKey(std::string_view name, std::string_view hash) = 0;

  // The key with this hash unless it was revoked; nullopt otherwise.
  virtual Result<std::optional<ApiKey>> GetActiveApiKeyByHash(std::string_view hash) = 0;

  // All keys, revoked ones included, CreateAt ASC.
  virtual Result<std::vector<ApiKey>> ListApiKeys() = 0;

  // Sets RevokedAt = now; a no-op when already revoked. Errors: kNotFound.
  virtual Result<void> RevokeApiKey(std::string_view id) = 0;
};

struct AuditRecord {
  std::string id;           // set by the store
  int64_t create_at = 0;    // ms; set by the store
  std::string actor;        // JWT caller ID, "apikey:<name>" or "anonymous"
  std::string method;       // POST / PUT / DELETE
  std::string path;         // the route pattern, e.g. /api/cluster/{cluster:id}
  std::string resource_id;  // the resource acted on, "" when unknown
  int64_t status = 0;       // HTTP status answered
};

// Thread-safe.
class AuditStore {
 public:
  virtual ~AuditStore() = default;

  // Appends `record` with a new ID and CreateAt = now.
  virtual Result<AuditRecord> AppendAuditRecord(AuditRecord record) = 0;

  // The newest `limit` records (CreateAt DESC, then ID DESC).
  virtual Result<std::vector<AuditRecord>> ListAuditRecords(int64_t limit) = 0;
};

}  // namespace cloud::store
