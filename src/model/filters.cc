#include "model/filters.h"

namespace cloud::model {

Result<ClusterFilter> ParseClusterFilter(const QueryLookup& query) {
  ClusterFilter filter;
  CLOUD_TRY(filter.paging, ParsePaging(query));
  return filter;
}

Result<InstallationFilter> ParseInstallationFilter(const QueryLookup& query) {
  InstallationFilter filter;
  // Upstream order: paging, group-config flags, deletion_locked (all → 400).
  CLOUD_TRY(filter.paging, ParsePaging(query));
  CLOUD_TRY(filter.include_group_config, ParseQueryBool(query, "include_group_config", true));
  CLOUD_TRY(filter.include_group_config_overrides,
            ParseQueryBool(query, "include_group_config_overrides", true));
  CLOUD_TRY(filter.deletion_locked, ParseQueryOptionalBool(query, "deletion_locked"));
  filter.owner_id = query("owner");
  filter.group_id = query("group");
  filter.state = query("state");
  filter.dns = query("dns_name");
  filter.name = query("name");
  return filter;
}

Result<ClusterInstallationFilter> ParseClusterInstallationFilter(const QueryLookup& query) {
  ClusterInstallationFilter filter;
  CLOUD_TRY(filter.paging, ParsePaging(query));
  filter.cluster_id = query("cluster");
  filter.installation_id = query("installation");
  return filter;
}

Result<GroupFilter> ParseGroupFilter(const QueryLookup& query) {
  GroupFilter filter;
  CLOUD_TRY(filter.paging, ParsePaging(query));
  CLOUD_TRY(filter.with_installation_count,
            ParseQueryBool(query, "show_installation_count", false));
  return filter;
}

Result<WebhookFilter> ParseWebhookFilter(const QueryLookup& query) {
  WebhookFilter filter;
  CLOUD_TRY(filter.paging, ParsePaging(query));
  filter.owner_id = query("owner");
  return filter;
}

Result<SubscriptionsFilter> ParseSubscriptionsFilter(const QueryLookup& query) {
  SubscriptionsFilter filter;
  CLOUD_TRY(filter.paging, ParsePaging(query));
  filter.owner = query("owner");
  filter.event_type = query("event_type");
  return filter;
}

Result<StateChangeEventFilter> ParseStateChangeEventFilter(const QueryLookup& query) {
  StateChangeEventFilter filter;
  CLOUD_TRY(filter.paging, ParsePaging(query));
  filter.resource_type = query("resource_type");
  filter.resource_id = query("resource_id");
  return filter;
}

Result<InstallationBackupFilter> ParseInstallationBackupFilter(const QueryLookup& query) {
  InstallationBackupFilter filter;
  CLOUD_TRY(filter.paging, ParsePaging(query));
  filter.installation_id = query("installation");
  filter.cluster_installation_id = query("cluster_installation");
  filter.state = query("state");
  return filter;
}

Result<InstallationDBRestorationFilter> ParseInstallationDBRestorationFilter(
    const QueryLookup& query) {
  InstallationDBRestorationFilter filter;
  CLOUD_TRY(filter.paging, ParsePaging(query));
  filter.installation_id = query("installation");
  filter.cluster_installation_id = query("cluster_installation");
  filter.state = query("state");
  return filter;
}

Result<InstallationDBMigrationFilter> ParseInstallationDBMigrationFilter(const QueryLookup& query) {
  InstallationDBMigrationFilter filter;
  CLOUD_TRY(filter.paging, ParsePaging(query));
  filter.installation_id = query("installation");
  filter.state = query("state");
  return filter;
}

Result<MultitenantDatabaseFilter> ParseMultitenantDatabaseFilter(const QueryLookup& query) {
  MultitenantDatabaseFilter filter;
  CLOUD_TRY(filter.paging, ParsePaging(query));
  filter.vpc_id = query("vpc_id");
  filter.database_type = query("database_type");
  return filter;
}

Result<LogicalDatabaseFilter> ParseLogicalDatabaseFilter(const QueryLookup& query) {
  LogicalDatabaseFilter filter;
  CLOUD_TRY(filter.paging, ParsePaging(query));
  filter.multitenant_database_id = query("multitenant_database_id");
  return filter;
}

Result<DatabaseSchemaFilter> ParseDatabaseSchemaFilter(const QueryLookup& query) {
  DatabaseSchemaFilter filter;
  CLOUD_TRY(filter.paging, ParsePaging(query));
  filter.logical_database_id = query("logical_database_id");
  filter.installation_id = query("installation_id");
  return filter;
}

}  // namespace cloud::model
