// One filter per list route: the route's query parameters (spec upstream-api.md §3; paging
// §1.5) plus the store-only criteria upstream's filters carry (upstream-core.md §3.6). Each
// Parse*Filter reads a request's query the way upstream's handler does.
//
// State, type and owner filters stay strings: upstream compares them for equality in SQL, so an
// unknown value is not an error — it matches nothing (200 with an empty list).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "model/backup.h"
#include "model/db_migration.h"
#include "model/db_restoration.h"
#include "model/paging.h"

namespace cloud::model {

// How a string filter is compared in SQL.
enum class StringMatch { kExact, kLike };

// GET /api/clusters: paging only.
struct ClusterFilter {
  Paging paging;
  friend bool operator==(const ClusterFilter&, const ClusterFilter&) = default;
};

// GET /api/installations.
struct InstallationFilter {
  Paging paging;
  std::string owner_id;  // `owner`, exact
  std::string group_id;  // `group`, exact
  std::string state;     // `state`, exact
  std::string dns;       // `dns_name`: exact, or SQL LIKE when it contains '%' (DnsMatch())
  std::string name;      // `name`, exact
  std::optional<bool> deletion_locked;  // `deletion_locked`
  // Presentation options of the route (not filters): merge group config / add GroupOverrides.
  bool include_group_config = true;            // `include_group_config`
  bool include_group_config_overrides = true;  // `include_group_config_overrides`
  // Store-only.
  std::vector<std::string> installation_ids;  // IN (...) when non-empty

  // §1.5: LIKE only when the value contains '%' (then '_' is a wildcard too); it matches any
  // non-deleted DNS record of the installation.
  StringMatch DnsMatch() const {
    return dns.find('%') != std::string::npos ? StringMatch::kLike : StringMatch::kExact;
  }
  friend bool operator==(const InstallationFilter&, const InstallationFilter&) = default;
};

// GET /api/cluster_installations.
struct ClusterInstallationFilter {
  Paging paging;
  std::string cluster_id;       // `cluster`
  std::string installation_id;  // `installation`
  // Store-only.
  std::vector<std::string> ids;
  std::optional<bool> is_active;
  friend bool operator==(const ClusterInstallationFilter&,
                         const ClusterInstallationFilter&) = default;
};

// GET /api/groups.
struct GroupFilter {
  Paging paging;
  bool with_installation_count = false;  // `show_installation_count`
  friend bool operator==(const GroupFilter&, const GroupFilter&) = default;
};

// GET /api/webhooks.
struct WebhookFilter {
  Paging paging;
  std::string owner_id;  // `owner`
  friend bool operator==(const WebhookFilter&, const WebhookFilter&) = default;
};

// GET /api/subscriptions (Go SubscriptionsFilter).
struct SubscriptionsFilter {
  Paging paging;
  std::string owner;       // `owner`
  std::string event_type;  // `event_type`
  friend bool operator==(const SubscriptionsFilter&, const SubscriptionsFilter&) = default;
};
using SubscriptionFilter = SubscriptionsFilter;

// GET /api/events/state_change. include_deleted is parsed but ignored by the store.
struct StateChangeEventFilter {
  Paging paging;
  std::string resource_type;  // `resource_type`
  std::string resource_id;    // `resource_id`
  // Store-only: IN (...) when non-empty.
  std::vector<std::string> old_states;
  std::vector<std::string> new_states;
  friend bool operator==(const StateChangeEventFilter&, const StateChangeEventFilter&) = default;
};
using EventFilter = StateChangeEventFilter;

// GET /api/installations/backups.
struct InstallationBackupFilter {
  Paging paging;
  std::string installation_id;          // `installation`
  std::string cluster_installation_id;  // `cluster_installation`
  std::string state;                    // `state` (one value, exact)
  // Store-only: IN (...) when non-empty.
  std::vector<std::string> ids;
  std::vector<BackupState> states;
  friend bool operator==(const InstallationBackupFilter&,
                         const InstallationBackupFilter&) = default;
};

// GET /api/installations/operations/database/restorations.
struct InstallationDBRestorationFilter {
  Paging paging;
  std::string installation_id;          // `installation`
  std::string cluster_installation_id;  // `cluster_installation`
  std::string state;                    // `state`
  // Store-only.
  std::vector<std::string> ids;
  std::vector<RestorationState> states;
  friend bool operator==(const InstallationDBRestorationFilter&,
                         const InstallationDBRestorationFilter&) = default;
};
using RestorationFilter = InstallationDBRestorationFilter;

// GET /api/installations/operations/database/migrations (`cluster_installation` is ignored).
struct InstallationDBMigrationFilter {
  Paging paging;
  std::string installation_id;  // `installation`
  std::string state;            // `state`
  // Store-only.
  std::vector<std::string> ids;
  std::vector<MigrationState> states;
  friend bool operator==(const InstallationDBMigrationFilter&,
                         const InstallationDBMigrationFilter&) = default;
};
using MigrationFilter = InstallationDBMigrationFilter;

// GET /api/databases/multitenant_databases.
struct MultitenantDatabaseFilter {
  Paging paging;
  std::string vpc_id;         // `vpc_id`
  std::string database_type;  // `database_type`
  // Store-only.
  std::string locker_id;
  std::string installation_id;           // LIKE on the Installations list
  std::string migrated_installation_id;  // LIKE on the MigratedInstallations list
  // Keep a database only if ceil(sum of its installations' weights) < limit; -1 = no limit.
  int64_t max_installations_limit = -1;
  friend bool operator==(const MultitenantDatabaseFilter&,
                         const MultitenantDatabaseFilter&) = default;
};

// GET /api/databases/logical_databases.
struct LogicalDatabaseFilter {
  Paging paging;
  std::string multitenant_database_id;  // `multitenant_database_id`
  friend bool operator==(const LogicalDatabaseFilter&, const LogicalDatabaseFilter&) = default;
};

// GET /api/databases/database_schemas.
struct DatabaseSchemaFilter {
  Paging paging;
  std::string logical_database_id;  // `logical_database_id`
  std::string installation_id;      // `installation_id`
  friend bool operator==(const DatabaseSchemaFilter&, const DatabaseSchemaFilter&) = default;
};

// Parsers: paging (§1.5) plus the route's parameters; absent or empty values leave the
// defaults. Errors: kInvalidArgument naming the parameter for a bad integer or boolean.
Result<ClusterFilter> ParseClusterFilter(const QueryLookup& query);
Result<InstallationFilter> ParseInstallationFilter(const QueryLookup& query);
Result<ClusterInstallationFilter> ParseClusterInstallationFilter(const QueryLookup& query);
Result<GroupFilter> ParseGroupFilter(const QueryLookup& query);
Result<WebhookFilter> ParseWebhookFilter(const QueryLookup& query);
Result<SubscriptionsFilter> ParseSubscriptionsFilter(const QueryLookup& query);
Result<StateChangeEventFilter> ParseStateChangeEventFilter(const QueryLookup& query);
Result<InstallationBackupFilter> ParseInstallationBackupFilter(const QueryLookup& query);
Result<InstallationDBRestorationFilter> ParseInstallationDBRestorationFilter(
    const QueryLookup& query);
Result<InstallationDBMigrationFilter> ParseInstallationDBMigrationFilter(const QueryLookup& query);
Result<MultitenantDatabaseFilter> ParseMultitenantDatabaseFilter(const QueryLookup& query);
Result<LogicalDatabaseFilter> ParseLogicalDatabaseFilter(const QueryLookup& query);
Result<DatabaseSchemaFilter> ParseDatabaseSchemaFilter(const QueryLookup& query);

}  // namespace cloud::model
