// SimCloud: the simulated cloud. Every call goes through Begin() (count, time, fail), then
// changes the in-memory state under mu_.
#include "provisioner/sim/sim_cloud.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <utility>

#include "common/id.h"

namespace cloud::provisioner::sim {
namespace {

struct StepName {
  SimStep step;
  std::string_view name;
  bool async;
};

constexpr std::array kStepNames = {
    StepName{SimStep::kPrepareCluster, "prepare-cluster", false},
    StepName{SimStep::kCreateCluster, "create-cluster", true},
    StepName{SimStep::kCheckClusterCreated, "check-cluster-created", false},
    StepName{SimStep::kCreateNodegroups, "create-nodegroups", true},
    StepName{SimStep::kCheckNodegroupsCreated, "check-nodegroups-created", false},
    StepName{SimStep::kDeleteNodegroups, "delete-nodegroups", false},
    StepName{SimStep::kProvisionCluster, "provision-cluster", false},
    StepName{SimStep::kUpgradeCluster, "upgrade-cluster", false},
    StepName{SimStep::kResizeCluster, "resize-cluster", false},
    StepName{SimStep::kDeleteCluster, "delete-cluster", true},
    StepName{SimStep::kRefreshClusterMetadata, "refresh-cluster-metadata", false},
    StepName{SimStep::kPrepareClusterUtilities, "prepare-cluster-utilities", false},
    StepName{SimStep::kCreateClusterInstallation, "create-cluster-installation", true},
    StepName{SimStep::kEnsureCRMigrated, "ensure-cr-migrated", false},
    StepName{SimStep::kUpdateClusterInstallation, "update-cluster-installation", true},
    StepName{SimStep::kHibernateClusterInstallation, "hibernate-cluster-installation", true},
    StepName{SimStep::kDeleteOldLicenseSecrets, "delete-old-license-secrets", false},
    StepName{SimStep::kDeleteClusterInstallation, "delete-cluster-installation", false},
    StepName{SimStep::kIsResourceReadyAndStable, "is-resource-ready-and-stable", false},
    StepName{SimStep::kRefreshSecrets, "refresh-secrets", false},
    StepName{SimStep::kExecCLI, "exec-cli", false},
    StepName{SimStep::kExecMMCTL, "exec-mmctl", false},
    StepName{SimStep::kExecJob, "exec-job", false},
    StepName{SimStep::kGetClusterInstallationStatus, "get-cluster-installation-status", false},
    StepName{SimStep::kGetClusterResources, "get-cluster-resources", false},
    StepName{SimStep::kGetPublicLoadBalancerEndpoint, "get-public-load-balancer-endpoint", false},
    StepName{SimStep::kProvisionDatabase, "provision-database", false},
    StepName{SimStep::kTeardownDatabase, "teardown-database", false},
    StepName{SimStep::kSnapshotDatabase, "snapshot-database", false},
    StepName{SimStep::kGenerateDatabaseSecret, "generate-database-secret", false},
    StepName{SimStep::kRefreshResourceMetadata, "refresh-resource-metadata", false},
    StepName{SimStep::kMigrateOut, "migrate-out", false},
    StepName{SimStep::kMigrateTo, "migrate-to", false},
    StepName{SimStep::kTeardownMigrated, "teardown-migrated", false},
    StepName{SimStep::kRollbackMigration, "rollback-migration", false},
    StepName{SimStep::kProvisionFilestore, "provision-filestore", false},
    StepName{SimStep::kTeardownFilestore, "teardown-filestore", false},
    StepName{SimStep::kCreateDNSRecords, "create-dns-records", false},
    StepName{SimStep::kDeleteDNSRecords, "delete-dns-records", false},
    StepName{SimStep::kTriggerBackup, "trigger-backup", true},
    StepName{SimStep::kCheckBackupStatus, "check-backup-status", false},
    StepName{SimStep::kCleanupBackupJob, "cleanup-backup-job", false},
    StepName{SimStep::kDeleteBackupData, "delete-backup-data", false},
    StepName{SimStep::kTriggerRestore, "trigger-restore", true},
    StepName{SimStep::kCheckRestoreStatus, "check-restore-status", false},
    StepName{SimStep::kCleanupRestoreJob, "cleanup-restore-job", false},
    StepName{SimStep::kEnsureTeam, "ensure-team", false},
    StepName{SimStep::kGetMaxUsersPerTeam, "get-max-users-per-team", false},
    StepName{SimStep::kSetMaxUsersPerTeam, "set-max-users-per-team", false},
    StepName{SimStep::kCopyImportArchive, "copy-import-archive", false},
    StepName{SimStep::kStartImportJob, "start-import-job", true},
    StepName{SimStep::kGetImportJob, "get-import-job", false},
    StepName{SimStep::kFindImportJob, "find-import-job", false},
};

const StepName& Find(SimStep step) {
  for (const StepName& s : kStepNames) {
    if (s.step == step) return s;
  }
  return kStepNames.front();  // unreachable: the table covers every enumerator (tested)
}

std::vector<std::string> CIKeys(const model::ClusterInstallation& ci) {
  return {ci.id, ci.installation_id, ci.cluster_id};
}

std::string ClusterName(const model::Cluster& cluster) {
  switch (cluster.provisioner) {
    case model::ClusterProvisioner::kKops:
      return cluster.id + "-kops.k8s.local";
    case model::ClusterProvisioner::kEks:
      return cluster.id + "-eks-k8s-local";
    case model::ClusterProvisioner::kExternal:
      return cluster.id + "-external-k8s";
  }
  return cluster.id;
}

}  // namespace

std::string_view ToString(SimStep step) { return Find(step).name; }
bool IsAsyncSimStep(SimStep step) { return Find(step).async; }

SimCloud::SimCloud(const Clock& clock, Logger log, SimOptions options)
    : clock_(clock),
      log_(log.With(logkey::kComponent, "sim")),
      options_(options),
      rng_(options.seed) {}

SimCloud::~SimCloud() { Shutdown(); }

ProvisionerSet SimCloud::MakeProvisionerSet() {
  ProvisionerPorts ports;
  ports.default_cluster = this;
  ports.cluster_installation = this;
  ports.installation = this;
  ports.dns = this;
  ports.default_database = this;
  ports.default_filestore = this;
  ports.backup = this;
  ports.restore = this;
  return ProvisionerSet(ports);
}

// --- configuration ------------------------------------------------------------------------

void SimCloud::SetDefaultDuration(int64_t ms) {
  std::lock_guard lock(mu_);
  options_.default_duration_ms = ms;
}

void SimCloud::SetDuration(SimStep step, int64_t ms) {
  std::lock_guard lock(mu_);
  step_durations_[step] = ms;
}

void SimCloud::SetDuration(SimStep step, std::string resource_id, int64_t ms) {
  std::lock_guard lock(mu_);
  resource_durations_[{step, std::move(resource_id)}] = ms;
}

void SimCloud::SetBlockFor(SimStep step, std::string resource_id, int64_t ms) {
  std::lock_guard lock(mu_);
  block_for_[{step, std::move(resource_id)}] = ms;
}

void SimCloud::SetFailureRate(double rate) {
  std::lock_guard lock(mu_);
  failure_rate_ = rate;
}

void SimCloud::FailAlways(SimStep step, std::string resource_id) {
  std::lock_guard lock(mu_);
  fail_always_.insert({step, std::move(resource_id)});
}

void SimCloud::FailNext(SimStep step, std::string resource_id, int times) {
  std::lock_guard lock(mu_);
  fail_next_[{step, std::move(resource_id)}] += times;
}

void SimCloud::FailNthCall(SimStep step, int64_t n) {
  std::lock_guard lock(mu_);
  fail_nth_[step].insert(calls_[step] + n);
}

void SimCloud::ClearFailures() {
  std::lock_guard lock(mu_);
  failure_rate_ = 0;
  fail_always_.clear();
  fail_next_.clear();
  fail_nth_.clear();
}

void SimCloud::SetJobFails(std::string backup_id, bool fails) {
  std::lock_guard lock(mu_);
  if (fails) {
    failing_jobs_.insert(std::move(backup_id));
  } else {
    failing_jobs_.erase(backup_id);
  }
}

void SimCloud::SetClusterResources(std::string cluster_id, ClusterResources resources) {
  std::lock_guard lock(mu_);
  resources_[std::move(cluster_id)] = resources;
}

void SimCloud::Wake() { wake_.notify_all(); }

void SimCloud::Shutdown() {
  {
    std::lock_guard lock(mu_);
    shutdown_ = true;
  }
  wake_.notify_all();
}

// --- observation --------------------------------------------------------------------------

int64_t SimCloud::Calls(SimStep step) const {
  std::lock_guard lock(mu_);
  auto it = calls_.find(step);
  return it == calls_.end() ? 0 : it->second;
}

int64_t SimCloud::Calls(SimStep step, std::string_view resource_id) const {
  std::lock_guard lock(mu_);
  auto it = resource_calls_.find({step, std::string(resource_id)});
  return it == resource_calls_.end() ? 0 : it->second;
}

int64_t SimCloud::InFlight() const {
  std::lock_guard lock(mu_);
  return in_flight_;
}

int64_t SimCloud::MaxInFlight() const {
  std::lock_guard lock(mu_);
  return max_in_flight_;
}

bool SimCloud::ClusterExists(std::string_view cluster_id) const {
  std::lock_guard lock(mu_);
  auto it = clusters_.find(cluster_id);
  return it != clusters_.end() && !it->second.deletion_done_at;
}

bool SimCloud::ClusterProvisioned(std::string_view cluster_id) const {
  std::lock_guard lock(mu_);
  auto it = clusters_.find(cluster_id);
  return it != clusters_.end() && it->second.provisioned;
}

bool SimCloud::ClusterInstallationExists(std::string_view ci_id) const {
  std::lock_guard lock(mu_);
  return cis_.contains(ci_id);
}

bool SimCloud::ClusterInstallationHibernated(std::string_view ci_id) const {
  std::lock_guard lock(mu_);
  auto it = cis_.find(ci_id);
  return it != cis_.end() && it->second.hibernated;
}

std::optional<std::vector<std::string>> SimCloud::DNSRecord(std::string_view name) const {
  std::lock_guard lock(mu_);
  auto it = dns_.find(name);
  if (it == dns_.end()) return std::nullopt;
  return it->second;
}

bool SimCloud::DatabaseExists(std::string_view installation_id) const {
  std::lock_guard lock(mu_);
  return databases_.contains(installation_id);
}

bool SimCloud::FilestoreExists(std::string_view installation_id) const {
  std::lock_guard lock(mu_);
  return filestores_.contains(installation_id);
}

bool SimCloud::BackupJobExists(std::string_view backup_id) const {
  std::lock_guard lock(mu_);
  return backup_jobs_.contains(backup_id);
}

bool SimCloud::RestoreJobExists(std::string_view backup_id) const {
  std::lock_guard lock(mu_);
  return restore_jobs_.contains(backup_id);
}

// --- the call machinery -------------------------------------------------------------------

int64_t SimCloud::DurationLocked(SimStep step, const std::vector<std::string>& ids) const {
  for (const std::string& id : ids) {
    auto it = resource_durations_.find({step, id});
    if (it != resource_durations_.end()) return it->second;
  }
  auto it = step_durations_.find(step);
  return it != step_durations_.end() ? it->second : options_.default_duration_ms;
}

int64_t SimCloud::BlockForLocked(SimStep step, const std::vector<std::string>& ids) const {
  for (const std::string& id : ids) {
    auto it = block_for_.find({step, id});
    if (it != block_for_.end()) return it->second;
  }
  auto it = block_for_.find({step, std::string()});
  return it != block_for_.end() ? it->second : 0;
}

std::optional<std::string> SimCloud::FailureLocked(SimStep step,
                                                   const std::vector<std::string>& ids,
                                                   int64_t nth) {
  std::vector<std::string> keys = ids;
  keys.emplace_back();  // rules for any resource
  for (const std::string& key : keys) {
    if (fail_always_.contains({step, key})) return "always";
    auto it = fail_next_.find({step, key});
    if (it != fail_next_.end() && it->second > 0) {
      if (--it->second == 0) fail_next_.erase(it);
      return "next";
    }
  }
  auto nth_it = fail_nth_.find(step);
  if (nth_it != fail_nth_.end() && nth_it->second.erase(nth) > 0) {
    return "call #" + std::to_string(nth);
  }
  if (failure_rate_ > 0 && std::uniform_real_distribution<double>(0, 1)(rng_) < failure_rate_) {
    return "rate";
  }
  return std::nullopt;
}

Result<void> SimCloud::WaitUntil(int64_t deadline) {
  std::unique_lock lock(mu_);
  while (!shutdown_) {
    const int64_t remaining = deadline - clock_.NowMillis();
    if (remaining <= 0) return Ok();
    wake_.wait_for(lock, std::chrono::milliseconds(std::min(remaining, options_.wait_poll_ms)));
  }
  return Unavailable("sim: shut down");
}

Result<int64_t> SimCloud::Begin(SimStep step, const std::vector<std::string>& ids) {
  int64_t nth = 0;
  int64_t duration = 0;
  int64_t wait = 0;
  int64_t start = 0;
  {
    std::lock_guard lock(mu_);
    nth = ++calls_[step];
    for (const std::string& id : ids) ++resource_calls_[{step, id}];
    max_in_flight_ = std::max(max_in_flight_, ++in_flight_);
    duration = DurationLocked(step, ids);
    wait = BlockForLocked(step, ids) + (IsAsyncSimStep(step) ? 0 : duration);
    // The call starts when it becomes visible as in flight: whoever sees InFlight() and then
    // advances the clock has advanced it past this start, not before it.
    start = clock_.NowMillis();
  }
  std::optional<Logger> call_log;
  if (options_.log_calls) {
    std::string resources;
    for (const std::string& id : ids) resources += (resources.empty() ? "" : ",") + id;
    call_log = log_.With("step", std::string(ToString(step)))
                   .With("resources", resources)
                   .With("nth", std::to_string(nth))
                   .With("start_ms", std::to_string(SystemClock::Instance().NowMillis()));
    call_log->Info("sim call started");
  }
  Result<void> waited = wait > 0 ? WaitUntil(start + wait) : Ok();
  if (call_log) {
    call_log->With("end_ms", std::to_string(SystemClock::Instance().NowMillis())).Info("sim call");
  }
  std::optional<std::string> failure;
  {
    std::lock_guard lock(mu_);
    --in_flight_;
    if (waited) failure = FailureLocked(step, ids, nth);
  }
  if (!waited) return waited.error();
  if (failure) {
    std::string message = "sim: injected failure (" + *failure + ") in " +
                          std::string(ToString(step)) + " for " +
                          (ids.empty() ? std::string("-") : ids.front());
    log_.Warn(message);
    return Unavailable(std::move(message));
  }
  return duration;
}

Result<SimCloud::ClusterRecord*> SimCloud::ClusterLocked(const std::string& id) {
  auto it = clusters_.find(id);
  if (it == clusters_.end() && options_.adopt_unknown_resources && !deleted_.contains(id)) {
    ClusterRecord adopted;
    adopted.provisioned = true;
    it = clusters_.emplace(id, adopted).first;
    LogFor(logkey::kCluster, id).Info("sim: adopted cluster created before this process started");
  }
  if (it == clusters_.end() || it->second.deletion_done_at) {
    return NotFound("sim: cluster " + id + " does not exist");
  }
  return &it->second;
}

SimCloud::CIRecord* SimCloud::CILocked(const model::ClusterInstallation& ci) {
  auto it = cis_.find(ci.id);
  if (it == cis_.end() && options_.adopt_unknown_resources && !deleted_.contains(ci.id)) {
    CIRecord adopted;
    adopted.cluster_id = ci.cluster_id;
    adopted.installation_id = ci.installation_id;
    it = cis_.emplace(ci.id, adopted).first;
    LogFor(logkey::kClusterInstallation, ci.id)
        .Info("sim: adopted cluster installation created before this process started");
  }
  return it == cis_.end() ? nullptr : &it->second;
}

Logger SimCloud::LogFor(std::string_view key, const std::string& id) const {
  return log_.With(key, id);
}

// --- ClusterProvisioner -------------------------------------------------------------------

bool SimCloud::PrepareCluster(model::Cluster& cluster) {
  if (!Begin(SimStep::kPrepareCluster, {cluster.id})) return false;
  const std::string name = ClusterName(cluster);
  if (cluster.provisioner_metadata_kops && cluster.provisioner_metadata_kops->name.empty()) {
    cluster.provisioner_metadata_kops->name = name;
    return true;
  }
  if (cluster.provisioner_metadata_eks && cluster.provisioner_metadata_eks->name.empty()) {
    cluster.provisioner_metadata_eks->name = name;
    return true;
  }
  if (cluster.provisioner_metadata_external &&
      cluster.provisioner_metadata_external->name.empty()) {
    cluster.provisioner_metadata_external->name = name;
    return true;
  }
  return false;
}

Result<void> SimCloud::CreateCluster(model::Cluster& cluster) {
  CLOUD_TRY(int64_t duration, Begin(SimStep::kCreateCluster, {cluster.id}));
  std::lock_guard lock(mu_);
  auto it = clusters_.find(cluster.id);
  if (it != clusters_.end() && !it->second.deletion_done_at) return Ok();  // already exists
  const int64_t now = clock_.NowMillis();
  ClusterRecord record;
  record.created_at = now;
  record.ready_at = now + duration;
  clusters_[cluster.id] = record;
  LogFor(logkey::kCluster, cluster.id).Info("sim: created cluster");
  return Ok();
}

Result<bool> SimCloud::CheckClusterCreated(model::Cluster& cluster) {
  CLOUD_TRY_VOID(Begin(SimStep::kCheckClusterCreated, {cluster.id}));
  std::lock_guard lock(mu_);
  CLOUD_TRY(ClusterRecord * record, ClusterLocked(cluster.id));
  return clock_.NowMillis() >= record->ready_at;
}

Result<void> SimCloud::CreateNodegroups(model::Cluster& cluster) {
  CLOUD_TRY(int64_t duration, Begin(SimStep::kCreateNodegroups, {cluster.id}));
  std::lock_guard lock(mu_);
  CLOUD_TRY(ClusterRecord * record, ClusterLocked(cluster.id));
  if (record->nodegroups_ready_at == 0) record->nodegroups_ready_at = clock_.NowMillis() + duration;
  LogFor(logkey::kCluster, cluster.id).Info("sim: creating nodegroups");
  return Ok();
}

Result<bool> SimCloud::CheckNodegroupsCreated(model::Cluster& cluster) {
  CLOUD_TRY_VOID(Begin(SimStep::kCheckNodegroupsCreated, {cluster.id}));
  std::lock_guard lock(mu_);
  CLOUD_TRY(ClusterRecord * record, ClusterLocked(cluster.id));
  return record->nodegroups_ready_at != 0 && clock_.NowMillis() >= record->nodegroups_ready_at;
}

Result<void> SimCloud::DeleteNodegroups(model::Cluster& cluster) {
  CLOUD_TRY_VOID(Begin(SimStep::kDeleteNodegroups, {cluster.id}));
  std::lock_guard lock(mu_);
  CLOUD_TRY_VOID(ClusterLocked(cluster.id));
  if (cluster.provisioner_metadata_eks && cluster.provisioner_metadata_eks->change_request &&
      cluster.provisioner_metadata_eks->node_groups) {
    for (const auto& [type, group] :
         cluster.provisioner_metadata_eks->change_request->node_groups) {
      cluster.provisioner_metadata_eks->node_groups->erase(type);
    }
  }
  LogFor(logkey::kCluster, cluster.id).Info("sim: deleted nodegroups");
  return Ok();
}

Result<void> SimCloud::ProvisionCluster(model::Cluster& cluster) {
  CLOUD_TRY_VOID(Begin(SimStep::kProvisionCluster, {cluster.id}));
  std::lock_guard lock(mu_);
  CLOUD_TRY(ClusterRecord * record, ClusterLocked(cluster.id));
  record->provisioned = true;
  LogFor(logkey::kCluster, cluster.id).Info("sim: provisioned cluster");
  return Ok();
}

Result<void> SimCloud::UpgradeCluster(model::Cluster& cluster) {
  CLOUD_TRY_VOID(Begin(SimStep::kUpgradeCluster, {cluster.id}));
  std::lock_guard lock(mu_);
  CLOUD_TRY_VOID(ClusterLocked(cluster.id));
  LogFor(logkey::kCluster, cluster.id).Info("sim: upgraded cluster");
  return Ok();
}

Result<void> SimCloud::ResizeCluster(model::Cluster& cluster) {
  CLOUD_TRY_VOID(Begin(SimStep::kResizeCluster, {cluster.id}));
  std::lock_guard lock(mu_);
  CLOUD_TRY_VOID(ClusterLocked(cluster.id));
  LogFor(logkey::kCluster, cluster.id).Info("sim: resized cluster");
  return Ok();
}

Result<bool> SimCloud::DeleteCluster(model::Cluster& cluster) {
  CLOUD_TRY(int64_t duration, Begin(SimStep::kDeleteCluster, {cluster.id}));
  std::lock_guard lock(mu_);
  auto it = clusters_.find(cluster.id);
  if (it == clusters_.end()) return true;  // never created, or already gone
  const int64_t now = clock_.NowMillis();
  if (!it->second.deletion_done_at) {
    it->second.deletion_done_at = now + duration;
    LogFor(logkey::kCluster, cluster.id).Info("sim: deleting cluster");
  }
  if (now < *it->second.deletion_done_at) return false;
  clusters_.erase(it);
  deleted_.insert(cluster.id);
  LogFor(logkey::kCluster, cluster.id).Info("sim: deleted cluster");
  return true;
}

Result<void> SimCloud::RefreshClusterMetadata(model::Cluster& cluster) {
  CLOUD_TRY_VOID(Begin(SimStep::kRefreshClusterMetadata, {cluster.id}));
  {
    std::lock_guard lock(mu_);
    CLOUD_TRY_VOID(ClusterLocked(cluster.id));
  }
  if (model::KopsMetadata* kops =
          cluster.provisioner_metadata_kops ? &*cluster.provisioner_metadata_kops : nullptr) {
    if (kops->change_request) {
      const model::KopsMetadataRequestedState& change = *kops->change_request;
      if (!change.version.empty()) kops->version = change.version;
      if (!change.ami.empty()) kops->ami = change.ami;
      if (!change.master_instance_type.empty()) {
        kops->master_instance_type = change.master_instance_type;
      }
      if (change.master_count != 0) kops->master_count = change.master_count;
      if (!change.node_instance_type.empty()) kops->node_instance_type = change.node_instance_type;
      if (change.node_min_count != 0) kops->node_min_count = change.node_min_count;
      if (change.node_max_count != 0) kops->node_max_count = change.node_max_count;
      if (change.max_pods_per_node != 0) kops->max_pods_per_node = change.max_pods_per_node;
      if (!change.networking.empty()) kops->networking = change.networking;
      if (!change.vpc.empty()) kops->vpc = change.vpc;
      kops->change_request.reset();
    }
    kops->warnings.clear();
  }
  if (model::EKSMetadata* eks =
          cluster.provisioner_metadata_eks ? &*cluster.provisioner_metadata_eks : nullptr) {
    if (eks->change_request) {
      const model::EKSMetadataRequestedState& change = *eks->change_request;
      if (!change.version.empty()) eks->version = change.version;
      if (!change.ami.empty()) eks->ami = change.ami;
      if (change.max_pods_per_node != 0) eks->max_pods_per_node = change.max_pods_per_node;
      if (!eks->node_groups) eks->node_groups.emplace();
      for (const auto& [type, group] : change.node_groups) {
        model::NodeGroupMetadata merged = group;
        auto existing = eks->node_groups->find(type);
        if (existing != eks->node_groups->end()) merged.CopyMissingFieldsFrom(existing->second);
        (*eks->node_groups)[type] = merged;
      }
      eks->change_request.reset();
    }
    eks->warnings.clear();
  }
  LogFor(logkey::kCluster, cluster.id).Info("sim: refreshed cluster metadata");
  return Ok();
}

// --- ClusterInstallationProvisioner -------------------------------------------------------

Result<void> SimCloud::PrepareClusterUtilities(const model::Cluster& cluster,
                                               const model::Installation& installation) {
  CLOUD_TRY_VOID(Begin(SimStep::kPrepareClusterUtilities, {cluster.id, installation.id}));
  std::lock_guard lock(mu_);
  CLOUD_TRY_VOID(ClusterLocked(cluster.id));
  return Ok();
}

Result<void> SimCloud::CreateClusterInstallation(const model::Cluster& cluster,
                                                 const model::Installation& installation,
                                                 const std::vector<model::InstallationDNS>&,
                                                 const model::ClusterInstallation& ci) {
  CLOUD_TRY(int64_t duration, Begin(SimStep::kCreateClusterInstallation, CIKeys(ci)));
  std::lock_guard lock(mu_);
  CLOUD_TRY_VOID(ClusterLocked(cluster.id));
  auto it = cis_.find(ci.id);
  if (it != cis_.end()) return Ok();  // create is create-or-keep
  CIRecord record;
  record.cluster_id = cluster.id;
  record.installation_id = installation.id;
  record.ready_at = clock_.NowMillis() + duration;
  cis_[ci.id] = record;
  LogFor(logkey::kClusterInstallation, ci.id).Info("sim: created cluster installation");
  return Ok();
}

Result<bool> SimCloud::EnsureCRMigrated(const model::Cluster&,
                                        const model::ClusterInstallation& ci) {
  CLOUD_TRY_VOID(Begin(SimStep::kEnsureCRMigrated, CIKeys(ci)));
  return true;
}

Result<void> SimCloud::UpdateClusterInstallation(const model::Cluster& cluster,
                                                 const model::Installation& installation,
                                                 const std::vector<model::InstallationDNS>&,
                                                 const model::ClusterInstallation& ci) {
  CLOUD_TRY(int64_t duration, Begin(SimStep::kUpdateClusterInstallation, CIKeys(ci)));
  std::lock_guard lock(mu_);
  CLOUD_TRY_VOID(ClusterLocked(cluster.id));
  CIRecord& record = cis_[ci.id];  // update creates a missing CR, as a k8s apply does
  record.cluster_id = cluster.id;
  record.installation_id = installation.id;
  record.ready_at = clock_.NowMillis() + duration;
  record.hibernated = false;
  LogFor(logkey::kClusterInstallation, ci.id).Info("sim: updated cluster installation");
  return Ok();
}

Result<void> SimCloud::HibernateClusterInstallation(const model::Cluster& cluster,
                                                    const model::Installation&,
                                                    const model::ClusterInstallation& ci) {
  CLOUD_TRY(int64_t duration, Begin(SimStep::kHibernateClusterInstallation, CIKeys(ci)));
  std::lock_guard lock(mu_);
  CLOUD_TRY_VOID(ClusterLocked(cluster.id));
  CIRecord* record = CILocked(ci);
  if (record == nullptr) {
    return NotFound("sim: cluster installation " + ci.id + " does not exist");
  }
  record->hibernated = true;
  record->ready_at = clock_.NowMillis() + duration;
  LogFor(logkey::kClusterInstallation, ci.id).Info("sim: hibernated cluster installation");
  return Ok();
}

Result<void> SimCloud::DeleteOldClusterInstallationLicenseSecrets(
    const model::Cluster&, const model::Installation&, const model::ClusterInstallation& ci) {
  CLOUD_TRY_VOID(Begin(SimStep::kDeleteOldLicenseSecrets, CIKeys(ci)));
  return Ok();
}

Result<void> SimCloud::DeleteClusterInstallation(const model::Cluster&, const model::Installation&,
                                                 const model::ClusterInstallation& ci) {
  CLOUD_TRY_VOID(Begin(SimStep::kDeleteClusterInstallation, CIKeys(ci)));
  std::lock_guard lock(mu_);
  deleted_.insert(ci.id);
  if (cis_.erase(ci.id) > 0) {
    LogFor(logkey::kClusterInstallation, ci.id).Info("sim: deleted cluster installation");
  }
  return Ok();
}

Result<ResourceReadiness> SimCloud::IsResourceReadyAndStable(const model::Cluster&,
                                                             const model::ClusterInstallation& ci) {
  CLOUD_TRY_VOID(Begin(SimStep::kIsResourceReadyAndStable, CIKeys(ci)));
  std::lock_guard lock(mu_);
  const CIRecord* record = CILocked(ci);
  if (record == nullptr) {
    return NotFound("sim: cluster installation " + ci.id + " does not exist");
  }
  const bool done = clock_.NowMillis() >= record->ready_at;
  return ResourceReadiness{.ready = done, .stable = done};
}

Result<void> SimCloud::RefreshSecrets(const model::Cluster&, const model::Installation&,
                                      const model::ClusterInstallation& ci) {
  CLOUD_TRY_VOID(Begin(SimStep::kRefreshSecrets, CIKeys(ci)));
  return Ok();
}

Result<std::string> SimCloud::ExecClusterInstallationCLI(const model::Cluster&,
                                                         const model::ClusterInstallation& ci,
                                                         const std::vector<std::string>& args) {
  CLOUD_TRY_VOID(Begin(SimStep::kExecCLI, CIKeys(ci)));
  std::string out = "sim:";
  for (const std::string& a : args) out += " " + a;
  return out;
}

Result<std::string> SimCloud::ExecMMCTL(const model::Cluster&, const model::ClusterInstallation& ci,
                                        const std::vector<std::string>& args) {
  CLOUD_TRY_VOID(Begin(SimStep::kExecMMCTL, CIKeys(ci)));
  std::string out = "sim: mmctl";
  for (const std::string& a : args) out += " " + a;
  return out;
}

Result<void> SimCloud::ExecClusterInstallationJob(const model::Cluster&,
                                                  const model::ClusterInstallation& ci,
                                                  const std::vector<std::string>&) {
  CLOUD_TRY_VOID(Begin(SimStep::kExecJob, CIKeys(ci)));
  return Ok();
}

Result<model::ClusterInstallationStatus> SimCloud::GetClusterInstallationStatus(
    const model::Cluster&, const model::ClusterInstallation& ci) {
  CLOUD_TRY_VOID(Begin(SimStep::kGetClusterInstallationStatus, CIKeys(ci)));
  std::lock_guard lock(mu_);
  model::ClusterInstallationStatus status;
  const CIRecord* record = CILocked(ci);
  if (record == nullptr) return status;  // InstallationFound = false
  status.installation_found = true;
  const int32_t replicas = record->hibernated ? 0 : 1;
  const int32_t ready = clock_.NowMillis() >= record->ready_at ? replicas : 0;
  status.replicas = replicas;
  status.total_pod = replicas;
  status.running_pod = replicas;
  status.ready_pod = ready;
  status.started_pod = ready;
  status.ready_local_server = ready;
  return status;
}

// --- InstallationProvisioner --------------------------------------------------------------

Result<ClusterResources> SimCloud::GetClusterResources(const model::Cluster& cluster, bool) {
  CLOUD_TRY_VOID(Begin(SimStep::kGetClusterResources, {cluster.id}));
  std::lock_guard lock(mu_);
  CLOUD_TRY_VOID(ClusterLocked(cluster.id));
  auto it = resources_.find(cluster.id);
  if (it != resources_.end()) return it->second;
  // A roomy default: 64 cores, 256 GiB, 1000 pods, nothing used.
  ClusterResources roomy;
  roomy.milli_total_cpu = 64'000;
  roomy.total_memory = int64_t{256} << 30;
  roomy.total_pod_count = 1000;
  return roomy;
}

Result<std::string> SimCloud::GetPublicLoadBalancerEndpoint(const model::Cluster& cluster,
                                                            std::string_view namespace_name) {
  CLOUD_TRY_VOID(Begin(SimStep::kGetPublicLoadBalancerEndpoint, {cluster.id}));
  std::lock_guard lock(mu_);
  CLOUD_TRY_VOID(ClusterLocked(cluster.id));
  return std::string(namespace_name) + "-" + cluster.id + ".elb.sim.cloud";
}

// --- DatabaseProvisioner / FilestoreProvisioner -------------------------------------------

Result<void> SimCloud::ProvisionDatabase(const model::Installation& installation) {
  CLOUD_TRY_VOID(Begin(SimStep::kProvisionDatabase, {installation.id}));
  std::lock_guard lock(mu_);
  if (databases_.insert(installation.id).second) {
    LogFor(logkey::kInstallation, installation.id).Info("sim: provisioned database");
  }
  return Ok();
}

Result<void> SimCloud::TeardownDatabase(const model::Installation& installation, bool keep_data) {
  CLOUD_TRY_VOID(Begin(SimStep::kTeardownDatabase, {installation.id}));
  std::lock_guard lock(mu_);
  if (!keep_data && databases_.erase(installation.id) > 0) {
    LogFor(logkey::kInstallation, installation.id).Info("sim: deleted database");
  }
  return Ok();
}

Result<void> SimCloud::SnapshotDatabase(const model::Installation& installation) {
  CLOUD_TRY_VOID(Begin(SimStep::kSnapshotDatabase, {installation.id}));
  return Ok();
}

Result<DatabaseSecret> SimCloud::GenerateDatabaseSecret(const model::Installation& installation) {
  CLOUD_TRY_VOID(Begin(SimStep::kGenerateDatabaseSecret, {installation.id}));
  return DatabaseSecret{.name = installation.id + "-db",
                        .connection_string = "postgres://sim@sim-db/" + installation.id};
}

Result<void> SimCloud::RefreshResourceMetadata(const model::Installation& installation) {
  CLOUD_TRY_VOID(Begin(SimStep::kRefreshResourceMetadata, {installation.id}));
  return Ok();
}

Result<void> SimCloud::MigrateOut(const model::Installation& installation, std::string_view) {
  CLOUD_TRY_VOID(Begin(SimStep::kMigrateOut, {installation.id}));
  return Ok();
}

Result<void> SimCloud::MigrateTo(const model::Installation& installation, std::string_view) {
  CLOUD_TRY_VOID(Begin(SimStep::kMigrateTo, {installation.id}));
  std::lock_guard lock(mu_);
  databases_.insert(installation.id);
  return Ok();
}

Result<void> SimCloud::TeardownMigrated(const model::Installation& installation, std::string_view) {
  CLOUD_TRY_VOID(Begin(SimStep::kTeardownMigrated, {installation.id}));
  return Ok();
}

Result<void> SimCloud::RollbackMigration(const model::Installation& installation,
                                         std::string_view) {
  CLOUD_TRY_VOID(Begin(SimStep::kRollbackMigration, {installation.id}));
  return Ok();
}

Result<void> SimCloud::ProvisionFilestore(const model::Installation& installation) {
  CLOUD_TRY_VOID(Begin(SimStep::kProvisionFilestore, {installation.id}));
  std::lock_guard lock(mu_);
  if (filestores_.insert(installation.id).second) {
    LogFor(logkey::kInstallation, installation.id).Info("sim: provisioned filestore");
  }
  return Ok();
}

Result<void> SimCloud::TeardownFilestore(const model::Installation& installation, bool keep_data) {
  CLOUD_TRY_VOID(Begin(SimStep::kTeardownFilestore, {installation.id}));
  std::lock_guard lock(mu_);
  if (!keep_data && filestores_.erase(installation.id) > 0) {
    LogFor(logkey::kInstallation, installation.id).Info("sim: deleted filestore");
  }
  return Ok();
}

// --- DNSProvider --------------------------------------------------------------------------

Result<void> SimCloud::CreateDNSRecords(const std::vector<std::string>& names,
                                        const std::vector<std::string>& endpoints) {
  CLOUD_TRY_VOID(Begin(SimStep::kCreateDNSRecords, names));
  if (endpoints.empty()) return InvalidArgument("sim: no endpoints for DNS records");
  std::lock_guard lock(mu_);
  for (const std::string& name : names) {
    dns_[name] = endpoints;
    log_.With("dns", name).Info("sim: upserted dns record");
  }
  return Ok();
}

Result<void> SimCloud::DeleteDNSRecords(const std::vector<std::string>& names) {
  CLOUD_TRY_VOID(Begin(SimStep::kDeleteDNSRecords, names));
  std::lock_guard lock(mu_);
  for (const std::string& name : names) {
    if (dns_.erase(name) > 0) log_.With("dns", name).Info("sim: deleted dns record");
  }
  return Ok();
}

// --- BackupOperator / RestoreOperator -----------------------------------------------------

Result<model::S3DataResidence> SimCloud::TriggerBackup(const model::InstallationBackup& backup,
                                                       const model::Cluster& cluster,
                                                       const model::Installation& installation) {
  CLOUD_TRY(int64_t duration, Begin(SimStep::kTriggerBackup, {backup.id}));
  std::lock_guard lock(mu_);
  CLOUD_TRY_VOID(ClusterLocked(cluster.id));
  if (!backup_jobs_.contains(backup.id)) {  // the Job name derives from the backup ID
    const int64_t now = clock_.NowMillis();
    backup_jobs_[backup.id] = JobRecord{.started_at = now, .done_at = now + duration};
    LogFor(logkey::kBackup, backup.id).Info("sim: started backup job");
  }
  return model::S3DataResidence{.region = "us-east-1",
                                .url = "s3.amazonaws.com",
                                .bucket = "sim-backups",
                                .path_prefix = installation.id,
                                .object_key = "backup-" + backup.id};
}

Result<JobStatus> SimCloud::CheckBackupStatus(const model::InstallationBackup& backup,
                                              const model::Cluster&) {
  CLOUD_TRY_VOID(Begin(SimStep::kCheckBackupStatus, {backup.id}));
  std::lock_guard lock(mu_);
  auto it = backup_jobs_.find(backup.id);
  if (it == backup_jobs_.end()) return NotFound("sim: no backup job for " + backup.id);
  if (clock_.NowMillis() < it->second.done_at) return JobStatus{};
  if (options_.fail_backup_jobs || failing_jobs_.contains(backup.id)) {
    return JobStatus{JobStatus::Phase::kFailed, 0};
  }
  return JobStatus{JobStatus::Phase::kSucceeded, it->second.started_at};
}

Result<void> SimCloud::CleanupBackupJob(const model::InstallationBackup& backup,
                                        const model::Cluster&) {
  CLOUD_TRY_VOID(Begin(SimStep::kCleanupBackupJob, {backup.id}));
  std::lock_guard lock(mu_);
  backup_jobs_.erase(backup.id);
  return Ok();
}

Result<void> SimCloud::DeleteBackupData(const model::InstallationBackup& backup) {
  CLOUD_TRY_VOID(Begin(SimStep::kDeleteBackupData, {backup.id}));
  return Ok();
}

Result<void> SimCloud::TriggerRestore(const model::Installation&,
                                      const model::InstallationBackup& backup,
                                      const model::Cluster& cluster) {
  CLOUD_TRY(int64_t duration, Begin(SimStep::kTriggerRestore, {backup.id}));
  std::lock_guard lock(mu_);
  CLOUD_TRY_VOID(ClusterLocked(cluster.id));
  if (!restore_jobs_.contains(backup.id)) {
    const int64_t now = clock_.NowMillis();
    restore_jobs_[backup.id] = JobRecord{.started_at = now, .done_at = now + duration};
    LogFor(logkey::kBackup, backup.id).Info("sim: started restore job");
  }
  return Ok();
}

Result<JobStatus> SimCloud::CheckRestoreStatus(const model::InstallationBackup& backup,
                                               const model::Cluster&) {
  CLOUD_TRY_VOID(Begin(SimStep::kCheckRestoreStatus, {backup.id}));
  std::lock_guard lock(mu_);
  auto it = restore_jobs_.find(backup.id);
  if (it == restore_jobs_.end()) return NotFound("sim: no restore job for " + backup.id);
  if (clock_.NowMillis() < it->second.done_at) return JobStatus{};
  if (options_.fail_restore_jobs || failing_jobs_.contains(backup.id)) {
    return JobStatus{JobStatus::Phase::kFailed, 0};
  }
  return JobStatus{JobStatus::Phase::kSucceeded, it->second.done_at};
}

Result<void> SimCloud::CleanupRestoreJob(const model::InstallationBackup& backup,
                                         const model::Cluster&) {
  CLOUD_TRY_VOID(Begin(SimStep::kCleanupRestoreJob, {backup.id}));
  std::lock_guard lock(mu_);
  restore_jobs_.erase(backup.id);
  return Ok();
}

}  // namespace cloud::provisioner::sim
