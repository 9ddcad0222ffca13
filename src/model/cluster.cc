#include "model/cluster.h"

#include "common/id.h"

namespace cloud::model {

std::string_view ToString(ClusterProvider provider) {
  switch (provider) {
    case ClusterProvider::kAws:
      return kProviderAws;
    case ClusterProvider::kExternal:
      return kProviderExternal;
  }
  return "";
}

bool ParseEnum(std::string_view text, ClusterProvider& out) {
  if (text == kProviderAws) {
    out = ClusterProvider::kAws;
  } else if (text == kProviderExternal) {
    out = ClusterProvider::kExternal;
  } else {
    return false;
  }
  return true;
}

std::string_view ToString(ClusterProvisioner provisioner) {
  switch (provisioner) {
    case ClusterProvisioner::kKops:
      return kProvisionerKops;
    case ClusterProvisioner::kEks:
      return kProvisionerEks;
    case ClusterProvisioner::kExternal:
      return kProvisionerExternal;
  }
  return "";
}

bool ParseEnum(std::string_view text, ClusterProvisioner& out) {
  if (text == kProvisionerKops || text.empty()) {
    out = ClusterProvisioner::kKops;
  } else if (text == kProvisionerEks) {
    out = ClusterProvisioner::kEks;
  } else if (text == kProvisionerExternal) {
    out = ClusterProvisioner::kExternal;
  } else {
    return false;
  }
  return true;
}

Result<void> RotatorConfig::Validate() const {
  if (!use_rotator.has_value()) return InvalidArgument("rotator config use rotator should be set");
  if (*use_rotator) {
    if (!evict_grace_period) {
      return InvalidArgument("rotator config evict grace period should be set");
    }
    if (!max_drain_retries)
      return InvalidArgument("rotator config max drain retries should be set");
    if (!max_scaling) return InvalidArgument("rotator config max scaling should be set");
    if (!wait_between_rotations) {
      return InvalidArgument("rotator config wait between rotations should be set");
    }
    if (!wait_between_drains) {
      return InvalidArgument("rotator config wait between drains should be set");
    }
    if (!wait_between_pod_evictions) {
      return InvalidArgument("rotator config wait between pod evictions should be set");
    }
  }
  return Ok();
}

void NodeGroupMetadata::CopyMissingFieldsFrom(const NodeGroupMetadata& other) {
  if (type.empty()) type = other.type;
  if (instance_type.empty()) instance_type = other.instance_type;
  if (min_count == 0) min_count = other.min_count;
  if (max_count == 0) max_count = other.max_count;
  if (!with_public_subnet) with_public_subnet = other.with_public_subnet;
  if (!with_security_group) with_security_group = other.with_security_group;
}

void PgBouncerConfig::SetDefaults() {
  if (min_pool_size == 0) min_pool_size = kPgBouncerDefaultMinPoolSize;
  if (default_pool_size == 0) default_pool_size = kPgBouncerDefaultDefaultPoolSize;
  if (reserve_pool_size == 0) reserve_pool_size = kPgBouncerDefaultReservePoolSize;
  if (max_client_connections == 0) max_client_connections = kPgBouncerDefaultMaxClientConnections;
  if (max_database_connections_per_pool == 0) {
    max_database_connections_per_pool = kPgBouncerDefaultMaxDatabaseConnectionsPerPool;
  }
  if (server_idle_timeout == 0) server_idle_timeout = kPgBouncerDefaultServerIdleTimeout;
  if (server_lifetime == 0) server_lifetime = kPgBouncerDefaultServerLifetime;
}

namespace {

Result<void> ValidatePgBouncerValues(std::optional<int64_t> max_database_connections_per_pool,
                                     std::optional<int64_t> default_pool_size,
                                     std::optional<int64_t> server_reset_query_always) {
  if (max_database_connections_per_pool && *max_database_connections_per_pool < 1) {
    return InvalidArgument("MaxDatabaseConnectionsPerPool must be 1 or greater");
  }
  if (default_pool_size && *default_pool_size < 1) {
    return InvalidArgument("DefaultPoolSize must be 1 or greater");
  }
  if (server_reset_query_always && *server_reset_query_always != 0 &&
      *server_reset_query_always != 1) {
    return InvalidArgument("ServerResetQueryAlways must be 0 or 1");
  }
  return Ok();
}

}  // namespace

Result<void> PgBouncerConfig::Validate() const {
  return ValidatePgBouncerValues(max_database_connections_per_pool, default_pool_size,
                                 server_reset_query_always);
}

void PgBouncerConfig::ApplyPatch(const PatchPgBouncerConfig& patch) {
  if (patch.min_pool_size) min_pool_size = *patch.min_pool_size;
  if (patch.default_pool_size) default_pool_size = *patch.default_pool_size;
  if (patch.reserve_pool_size) reserve_pool_size = *patch.reserve_pool_size;
  if (patch.max_client_connections) max_client_connections = *patch.max_client_connections;
  if (patch.max_database_connections_per_pool) {
    max_database_connections_per_pool = *patch.max_database_connections_per_pool;
  }
  if (patch.server_idle_timeout) server_idle_timeout = *patch.server_idle_timeout;
  if (patch.server_lifetime) server_lifetime = *patch.server_lifetime;
  if (patch.server_reset_query_always) server_reset_query_always = *patch.server_reset_query_always;
}

PgBouncerConfig DefaultPgBouncerConfig() {
  PgBouncerConfig config;
  config.SetDefaults();
  return config;
}

Result<void> PatchPgBouncerConfig::Validate() const {
  return ValidatePgBouncerValues(max_database_connections_per_pool, default_pool_size,
                                 server_reset_query_always);
}

std::string Cluster::VpcId() const {
  switch (provisioner) {
    case ClusterProvisioner::kKops:
      return provisioner_metadata_kops ? provisioner_metadata_kops->vpc : "";
    case ClusterProvisioner::kEks:
      return provisioner_metadata_eks ? provisioner_metadata_eks->vpc : "";
    case ClusterProvisioner::kExternal:
      return provisioner_metadata_external ? provisioner_metadata_external->vpc : "";
  }
  return "";
}

bool Cluster::HasAWSInfrastructure() const {
  if (provider == ClusterProvider::kExternal) {
    return provider_metadata_external && provider_metadata_external->has_aws_infrastructure;
  }
  return true;
}

Result<void> CanScheduleInstallations(const Cluster& cluster) {
  if (!cluster.allow_installations) {
    return FailedPrecondition("cluster set to not allow for new installation scheduling");
  }
  if (!IsClusterStateInstallationSchedulable(cluster.state)) {
    return FailedPrecondition("not in a state to accept new installations (currently " +
                              std::string(ToString(cluster.state)) + ")");
  }
  return Ok();
}

void SetUtilityDesiredVersions(Cluster& cluster, const UtilityVersionMap& versions) {
  if (!cluster.utility_metadata) cluster.utility_metadata.emplace();
  SetUtilityDesiredVersions(*cluster.utility_metadata, versions);
}

void SetManagedByArgocd(Cluster& cluster, const std::map<std::string, std::string>& values) {
  if (!cluster.utility_metadata) {
    if (values.empty()) return;  // nothing to record; keep a null UtilityMetadata null
    cluster.utility_metadata.emplace();
  }
  ApplyArgocdRegistration(*cluster.utility_metadata, values);
}

std::string NewNodeGroupSuffix() { return NewId().substr(0, 6); }

}  // namespace cloud::model
