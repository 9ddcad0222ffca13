// SqlApiKeyStore / SqlAuditStore: ApiKeyStore and AuditStore over a SqlDatabase (SQLite or
// PostgreSQL).
#pragma once

#include "common/clock.h"
#include "store/api_key_store.h"
#include "store/sql/sql_connection.h"

namespace cloud::store {

// References must outlive the store.
class SqlApiKeyStore final : public ApiKeyStore {
 public:
  SqlApiKeyStore(SqlDatabase& db, const Clock& clock) : db_(db), clock_(clock) {}

  Result<ApiKey> CreateApiKey(std::string_view name, std::string_view hash) override;
  Result<std::optional<ApiKey>> GetActiveApiKeyByHash(std::string_view hash) override;
  Result<std::vector<ApiKey>> ListApiKeys() override;
  Result<void> RevokeApiKey(std::string_view id) override;

 private:
  SqlDatabase& db_;
  const Clock& clock_;
};

// References must outlive the store.
class SqlAuditStore final : public AuditStore {
 public:
  SqlAuditStore(SqlDatabase& db, const Clock& clock) : db_(db), clock_(clock) {}

  Result<AuditRecord> AppendAuditRecord(AuditRecord record) override;
  Result<std::vector<AuditRecord>> ListAuditRecords(int64_t limit) override;

 private:
  SqlDatabase& db_;
  const Clock& clock_;
};

}  // namespace cloud::store
