#include "store/sql_api_key_store.h"

#include <utility>

#include "common/id.h"

namespace cloud::store {
namespace {

constexpr std::string_view kSelectApiKeys = "SELECT ID, Name, CreateAt, RevokedAt FROM APIKey";
constexpr std::string_view kInsertApiKey =
    "INSERT INTO APIKey (ID, Name, Hash, CreateAt, RevokedAt) VALUES ($1, $2, $3, $4, 0)";
constexpr std::string_view kRevokeApiKey =
    "UPDATE APIKey SET RevokedAt = $1 WHERE ID = $2 AND RevokedAt = 0";
constexpr std::string_view kInsertAuditRecord =
    "INSERT INTO AuditLog (ID, CreateAt, Actor, Method, Path, ResourceID, Status) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7)";
constexpr std::string_view kSelectAuditRecords =
    "SELECT ID, CreateAt, Actor, Method, Path, ResourceID, Status FROM AuditLog "
    "ORDER BY CreateAt DESC, ID DESC LIMIT $1";

ApiKey KeyFromRow(Row row) {
  ApiKey key;
  key.id = row.GetString("ID");
  key.name = row.GetString("Name");
  key.create_at = row.GetInt64("CreateAt");
  key.revoked_at = row.GetInt64("RevokedAt");
  return key;
}

}  // namespace

Result<ApiKey> SqlApiKeyStore::CreateApiKey(std::string_view name, std::string_view hash) {
  if (name.empty()) return InvalidArgument("API key name must not be empty");
  if (hash.empty()) return InvalidArgument("API key hash must not be empty");
  ApiKey key;
  key.id = NewId();
  key.name = std::string(name);
  key.create_at = clock_.NowMillis();
  CLOUD_TRY_VOID(db_.Exec(kInsertApiKey, {key.id, key.name, std::string(hash), key.create_at}));
  return key;
}

Result<std::optional<ApiKey>> SqlApiKeyStore::GetActiveApiKeyByHash(std::string_view hash) {
  CLOUD_TRY(Rows rows, db_.Query(std::string(kSelectApiKeys) + " WHERE Hash = $1 AND RevokedAt = 0",
                                 {std::string(hash)}));
  if (rows.empty()) return std::optional<ApiKey>();
  return std::optional<ApiKey>(KeyFromRow(rows.front()));
}

Result<std::vector<ApiKey>> SqlApiKeyStore::ListApiKeys() {
  CLOUD_TRY(Rows rows, db_.Query(std::string(kSelectApiKeys) + " ORDER BY CreateAt ASC, ID"));
  std::vector<ApiKey> out;
  for (Row row : rows) out.push_back(KeyFromRow(row));
  return out;
}

Result<void> SqlApiKeyStore::RevokeApiKey(std::string_view id) {
  CLOUD_TRY(Rows found, db_.Query("SELECT RevokedAt FROM APIKey WHERE ID = $1", {std::string(id)}));
  if (found.empty()) return NotFound("API key " + std::string(id) + " not found");
  CLOUD_TRY(int64_t changed, db_.Exec(kRevokeApiKey, {clock_.NowMillis(), std::string(id)}));
  (void)changed;  // 0: already revoked
  return Ok();
}

Result<AuditRecord> SqlAuditStore::AppendAuditRecord(AuditRecord record) {
  record.id = NewId();
  record.create_at = clock_.NowMillis();
  CLOUD_TRY_VOID(
      db_.Exec(kInsertAuditRecord, {record.id, record.create_at, record.actor, record.method,
                                    record.path, record.resource_id, record.status}));
  return record;
}

Result<std::vector<AuditRecord>> SqlAuditStore::ListAuditRecords(int64_t limit) {
  if (limit <= 0) return std::vector<AuditRecord>();
  CLOUD_TRY(Rows rows, db_.Query(kSelectAuditRecords, {limit}));
  std::vector<AuditRecord> out;
  for (Row row : rows) {
    AuditRecord r;
    r.id = row.GetString("ID");
    r.create_at = row.GetInt64("CreateAt");
    r.actor = row.GetString("Actor");
    r.method = row.GetString("Method");
    r.path = row.GetString("Path");
    r.resource_id = row.GetString("ResourceID");
    r.status = row.GetInt64("Status");
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace cloud::store
