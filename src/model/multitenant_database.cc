#include "model/multitenant_database.h"

#include <algorithm>

namespace cloud::model {

std::string_view ToString(DatabaseEngineType type) {
  switch (type) {
    case DatabaseEngineType::kMySQL:
      return "mysql";
    case DatabaseEngineType::kPostgres:
      return "postgres";
    case DatabaseEngineType::kPostgresProxy:
      return "postgres-proxy";
    case DatabaseEngineType::kPostgresProxyPerseus:
      return "postgres-proxy-perseus";
  }
  return "";
}

bool ParseEnum(std::string_view text, DatabaseEngineType& out) {
  for (DatabaseEngineType type : kAllDatabaseEngineTypes) {
    if (ToString(type) == text) {
      out = type;
      return true;
    }
  }
  return false;
}

std::string_view ToString(MultitenantDatabaseState state) {
  switch (state) {
    case MultitenantDatabaseState::kStable:
      return "stable";
    case MultitenantDatabaseState::kProvisioningRequested:
      return "provisioning-requested";
  }
  return "";
}

bool ParseEnum(std::string_view text, MultitenantDatabaseState& out) {
  for (MultitenantDatabaseState state : kAllMultitenantDatabaseStates) {
    if (ToString(state) == text) {
      out = state;
      return true;
    }
  }
  return false;
}

bool ContainsInstallationID(const std::optional<std::vector<std::string>>& ids,
                            std::string_view installation_id) {
  return ids.has_value() && std::find(ids->begin(), ids->end(), installation_id) != ids->end();
}

void AddInstallationID(std::optional<std::vector<std::string>>& ids, std::string installation_id) {
  if (!ids.has_value()) ids.emplace();
  ids->push_back(std::move(installation_id));
}

void RemoveInstallationID(std::optional<std::vector<std::string>>& ids,
                          std::string_view installation_id) {
  if (!ids.has_value()) return;
  std::erase(*ids, installation_id);
}

Result<void> PatchMultitenantDatabaseRequest::Validate() const {
  if (max_installations_per_logical_database.has_value() &&
      *max_installations_per_logical_database < 1) {
    return InvalidArgument("MaxInstallationsPerLogicalDatabase must be 1 or greater");
  }
  return Ok();
}

bool PatchMultitenantDatabaseRequest::Apply(MultitenantDatabase& database) const {
  if (database.database_type != DatabaseEngineType::kPostgresProxy) return false;
  if (!max_installations_per_logical_database.has_value() ||
      *max_installations_per_logical_database == database.max_installations_per_logical_database) {
    return false;
  }
  database.max_installations_per_logical_database = *max_installations_per_logical_database;
  return true;
}

}  // namespace cloud::model
