// Multi-tenant databases, their logical databases and per-installation schemas, as served by
// /api/databases/... (spec upstream-api.md §3.9, §4.8, §5.8; upstream-core.md §6.3).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "model/json_codec.h"

namespace cloud::model {

// Database engine of a multi-tenant database (Go DatabaseEngineType* constants).
enum class DatabaseEngineType { kMySQL, kPostgres, kPostgresProxy, kPostgresProxyPerseus };

std::string_view ToString(DatabaseEngineType type);
bool ParseEnum(std::string_view text, DatabaseEngineType& out);

inline constexpr std::array kAllDatabaseEngineTypes = {
    DatabaseEngineType::kMySQL,
    DatabaseEngineType::kPostgres,
    DatabaseEngineType::kPostgresProxy,
    DatabaseEngineType::kPostgresProxyPerseus,
};

// Go DatabaseState* constants.
enum class MultitenantDatabaseState { kStable, kProvisioningRequested };

std::string_view ToString(MultitenantDatabaseState state);
bool ParseEnum(std::string_view text, MultitenantDatabaseState& out);

inline constexpr std::array kAllMultitenantDatabaseStates = {
    MultitenantDatabaseState::kStable,
    MultitenantDatabaseState::kProvisioningRequested,
};

// Go NoInstallationsLimit: MultitenantDatabaseFilter.max_installations_limit meaning "no limit".
inline constexpr int64_t kNoInstallationsLimit = -1;
// Default MaxInstallationsPerLogicalDatabase of postgres-proxy databases (server flag default).
inline constexpr int64_t kDefaultProxyDatabaseMaxInstallationsPerLogicalDatabase = 10;

struct MultitenantDatabase {
  std::string id;
  std::string rds_cluster_id;
  std::string vpc_id;
  DatabaseEngineType database_type = DatabaseEngineType::kPostgres;
  MultitenantDatabaseState state = MultitenantDatabaseState::kStable;
  std::string writer_endpoint;
  std::string reader_endpoint;
  // Installation IDs (Go MultitenantDatabaseInstallations); null when nil.
  std::optional<std::vector<std::string>> installations;
  std::optional<std::vector<std::string>> migrated_installations;
  int64_t max_installations_per_logical_database = 0;  // omitted when 0
  int64_t create_at = 0;
  int64_t delete_at = 0;
  std::optional<std::string> lock_acquired_by;
  int64_t lock_acquired_at = 0;

  bool IsDeleted() const { return delete_at != 0; }
  // Go GetReaderEndpoint: the reader endpoint, or the writer's when there is none.
  const std::string& GetReaderEndpoint() const {
    return reader_endpoint.empty() ? writer_endpoint : reader_endpoint;
  }
  friend bool operator==(const MultitenantDatabase&, const MultitenantDatabase&) = default;
};

template <class V>
void JsonFields(V& v, MultitenantDatabase& d) {
  v("ID", d.id);
  v("RdsClusterID", d.rds_cluster_id);
  v("VpcID", d.vpc_id);
  v("DatabaseType", d.database_type);
  v("State", d.state);
  v("WriterEndpoint", d.writer_endpoint);
  v("ReaderEndpoint", d.reader_endpoint);
  v("Installations", d.installations);
  v("MigratedInstallations", d.migrated_installations);
  v("MaxInstallationsPerLogicalDatabase", d.max_installations_per_logical_database, kOmitEmpty);
  v("CreateAt", d.create_at);
  v("DeleteAt", d.delete_at);
  v("LockAcquiredBy", d.lock_acquired_by);
  v("LockAcquiredAt", d.lock_acquired_at);
}

// Go MultitenantDatabaseInstallations.Contains / Add / Remove on a nullable ID list. Add
// creates the list when it is null; Remove removes every occurrence.
bool ContainsInstallationID(const std::optional<std::vector<std::string>>& ids,
                            std::string_view installation_id);
void AddInstallationID(std::optional<std::vector<std::string>>& ids, std::string installation_id);
void RemoveInstallationID(std::optional<std::vector<std::string>>& ids,
                          std::string_view installation_id);

struct LogicalDatabase {
  std::string id;
  std::string multitenant_database_id;
  std::string name;  // cloud_<id> by default
  int64_t create_at = 0;
  int64_t delete_at = 0;
  std::optional<std::string> lock_acquired_by;
  int64_t lock_acquired_at = 0;

  bool IsDeleted() const { return delete_at != 0; }
  friend bool operator==(const LogicalDatabase&, const LogicalDatabase&) = default;
};

template <class V>
void JsonFields(V& v, LogicalDatabase& d) {
  v("ID", d.id);
  v("MultitenantDatabaseID", d.multitenant_database_id);
  v("Name", d.name);
  v("CreateAt", d.create_at);
  v("DeleteAt", d.delete_at);
  v("LockAcquiredBy", d.lock_acquired_by);
  v("LockAcquiredAt", d.lock_acquired_at);
}

struct DatabaseSchema {
  std::string id;
  std::string logical_database_id;
  std::string installation_id;
  std::string name;
  int64_t create_at = 0;
  int64_t delete_at = 0;
  std::optional<std::string> lock_acquired_by;
  int64_t lock_acquired_at = 0;

  bool IsDeleted() const { return delete_at != 0; }
  friend bool operator==(const DatabaseSchema&, const DatabaseSchema&) = default;
};

template <class V>
void JsonFields(V& v, DatabaseSchema& s) {
  v("ID", s.id);
  v("LogicalDatabaseID", s.logical_database_id);
  v("InstallationID", s.installation_id);
  v("Name", s.name);
  v("CreateAt", s.create_at);
  v("DeleteAt", s.delete_at);
  v("LockAcquiredBy", s.lock_acquired_by);
  v("LockAcquiredAt", s.lock_acquired_at);
}

// Body of PUT /api/databases/multitenant_database/{id}.
struct PatchMultitenantDatabaseRequest {
  std::optional<int64_t> max_installations_per_logical_database;

  // The value, if set, must be >= 1. Errors: kInvalidArgument.
  Result<void> Validate() const;
  // Applies the value only to postgres-proxy databases and only when it differs; returns
  // whether anything changed.
  bool Apply(MultitenantDatabase& database) const;

  friend bool operator==(const PatchMultitenantDatabaseRequest&,
                         const PatchMultitenantDatabaseRequest&) = default;
};

template <class V>
void JsonFields(V& v, PatchMultitenantDatabaseRequest& r) {
  v("MaxInstallationsPerLogicalDatabase", r.max_installations_per_logical_database);
}

}  // namespace cloud::model
