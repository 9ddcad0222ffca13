// Query-only requests of the Go client (GetClustersRequest, GetInstallationsRequest, ...):
// they exist only to build query strings, so they live with the client. Each ApplyToQuery
// mirrors upstream's ApplyToURL exactly (which parameters are always sent, which only when set).
#pragma once

#include <optional>
#include <string>

#include "client/query.h"
#include "model/installation.h"
#include "model/paging.h"

namespace cloud::client {

// Go Paging.AddToQuery.
inline void AddPaging(const model::Paging& paging, Query& query) {
  query.AddPaging(paging.page, paging.per_page, paging.include_deleted);
}

struct GetClustersRequest {
  model::Paging paging;
  void ApplyToQuery(Query& q) const { AddPaging(paging, q); }
};

// nullptr request upstream ≙ nullopt here: nothing is added (server defaults: true).
struct GetInstallationRequest {
  bool include_group_config = false;
  bool include_group_config_overrides = false;
  void ApplyToQuery(Query& q) const {
    if (!include_group_config) q.Add("include_group_config", false);
    if (!include_group_config_overrides) q.Add("include_group_config_overrides", false);
  }
};

struct GetInstallationsRequest {
  model::Paging paging;
  std::string owner_id;
  std::string group_id;
  std::string state;
  std::string dns;
  std::string name;
  std::optional<model::AllowedIPRanges> allowed_ip_ranges;
  bool override_ip_ranges = false;
  bool include_group_config = false;
  bool include_group_config_overrides = false;
  std::optional<bool> deletion_locked;
  void ApplyToQuery(Query& q) const {
    q.Add("owner", owner_id);
    q.Add("group", group_id);
    q.Add("state", state);
    q.Add("dns_name", dns);
    q.Add("name", name);
    q.Add("allowed-ip-ranges", allowed_ip_ranges ? model::EncodeJson(*allowed_ip_ranges) : "");
    if (!override_ip_ranges) q.Add("override-ip-ranges", false);
    if (!include_group_config) q.Add("include_group_config", false);
    if (!include_group_config_overrides) q.Add("include_group_config_overrides", false);
    if (deletion_locked) q.Add("deletion_locked", *deletion_locked);
    AddPaging(paging, q);
  }
};

struct GetGroupsRequest {
  model::Paging paging;
  bool with_installation_count = false;
  void ApplyToQuery(Query& q) const {
    if (with_installation_count) q.Add("show_installation_count", true);
    AddPaging(paging, q);
  }
};

struct LeaveGroupRequest {
  bool retain_config = false;
  void ApplyToQuery(Query& q) const {
    if (!retain_config) q.Add("retain_config", false);
  }
};

// Backups, restorations and DB migrations share one shape.
struct GetInstallationOperationsRequest {
  model::Paging paging;
  std::string installation_id;
  std::string cluster_installation_id;
  std::string state;
  void ApplyToQuery(Query& q) const {
    q.Add("installation", installation_id);
    q.Add("cluster_installation", cluster_installation_id);
    q.Add("state", state);
    AddPaging(paging, q);
  }
};
using GetInstallationBackupsRequest = GetInstallationOperationsRequest;
using GetInstallationDBRestorationOperationsRequest = GetInstallationOperationsRequest;
using GetInstallationDBMigrationOperationsRequest = GetInstallationOperationsRequest;

struct GetClusterInstallationsRequest {
  model::Paging paging;
  std::string cluster_id;
  std::string installation_id;
  void ApplyToQuery(Query& q) const {
    q.Add("cluster", cluster_id);
    q.Add("installation", installation_id);
    AddPaging(paging, q);
  }
};

struct GetMultitenantDatabasesRequest {
  model::Paging paging;
  std::string vpc_id;
  std::string database_type;
  void ApplyToQuery(Query& q) const {
    q.Add("vpc_id", vpc_id);
    q.Add("database_type", database_type);
    AddPaging(paging, q);
  }
};

struct GetLogicalDatabasesRequest {
  model::Paging paging;
  std::string multitenant_database_id;
  void ApplyToQuery(Query& q) const {
    q.Add("multitenant_database_id", multitenant_database_id);
    AddPaging(paging, q);
  }
};

struct GetDatabaseSchemaRequest {
  model::Paging paging;
  std::string logical_database_id;
  std::string installation_id;
  void ApplyToQuery(Query& q) const {
    q.Add("logical_database_id", logical_database_id);
    q.Add("installation_id", installation_id);
    AddPaging(paging, q);
  }
};

struct GetWebhooksRequest {
  model::Paging paging;
  std::string owner_id;
  void ApplyToQuery(Query& q) const {
    q.Add("owner", owner_id);
    AddPaging(paging, q);
  }
};

struct ListSubscriptionsRequest {
  model::Paging paging;
  std::string owner;
  std::string event_type;
  void ApplyToQuery(Query& q) const {
    q.Add("owner", owner);
    q.Add("event_type", event_type);
    AddPaging(paging, q);
  }
};

// Beyond upstream: GET /api/subscription/{id}/deliveries.
struct ListSubscriptionDeliveriesRequest {
  model::Paging paging;
  void ApplyToQuery(Query& q) const { AddPaging(paging, q); }
};

struct ListStateChangeEventsRequest {
  model::Paging paging;
  std::string resource_type;
  std::string resource_id;
  void ApplyToQuery(Query& q) const {
    q.Add("resource_type", resource_type);
    q.Add("resource_id", resource_id);
    AddPaging(paging, q);
  }
};

template <class Req>
Query QueryOf(const Req& request) {
  Query q;
  request.ApplyToQuery(q);
  return q;
}

}  // namespace cloud::client
