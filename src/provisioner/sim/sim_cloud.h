// SimCloud: an in-process simulated cloud implementing every provisioner port (clusters,
// cluster installations, DNS, databases, filestores, backup/restore Jobs). It is the embedded
// default backend for trying the product and the backend of supervisor tests and benchmarks
// (ARCHITECTURE.md decision 6).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/logging.h"
#include "provisioner/backup_operator.h"
#include "provisioner/cluster_installation_provisioner.h"
#include "provisioner/cluster_provisioner.h"
#include "provisioner/database_provisioner.h"
#include "provisioner/dns_provider.h"
#include "provisioner/import_operator.h"
#include "provisioner/installation_provisioner.h"
#include "provisioner/provisioner_set.h"

namespace cloud::provisioner::sim {

// Every operation the sim counts, times and can fail.
enum class SimStep {
  kPrepareCluster,
  kCreateCluster,  // async: CheckClusterCreated answers true after the duration
  kCheckClusterCreated,
  kCreateNodegroups,  // async: CheckNodegroupsCreated answers true after the duration
  kCheckNodegroupsCreated,
  kDeleteNodegroups,
  kProvisionCluster,
  kUpgradeCluster,
  kResizeCluster,
  kDeleteCluster,  // async: answers "done" once the duration has passed since the first call
  kRefreshClusterMetadata,
  kPrepareClusterUtilities,
  kCreateClusterInstallation,  // async: ready and stable after the duration
  kEnsureCRMigrated,
  kUpdateClusterInstallation,     // async: ready and stable after the duration
  kHibernateClusterInstallation,  // async: ready and stable after the duration
  kDeleteOldLicenseSecrets,
  kDeleteClusterInstallation,
  kIsResourceReadyAndStable,
  kRefreshSecrets,
  kExecCLI,
  kExecMMCTL,
  kExecJob,
  kGetClusterInstallationStatus,
  kGetClusterResources,
  kGetPublicLoadBalancerEndpoint,
  kProvisionDatabase,
  kTeardownDatabase,
  kSnapshotDatabase,
  kGenerateDatabaseSecret,
  kRefreshResourceMetadata,
  kMigrateOut,
  kMigrateTo,
  kTeardownMigrated,
  kRollbackMigration,
  kProvisionFilestore,
  kTeardownFilestore,
  kCreateDNSRecords,
  kDeleteDNSRecords,
  kTriggerBackup,  // async: CheckBackupStatus answers succeeded after the duration
  kCheckBackupStatus,
  kCleanupBackupJob,
  kDeleteBackupData,
  kTriggerRestore,  // async: CheckRestoreStatus answers succeeded after the duration
  kCheckRestoreStatus,
  kCleanupRestoreJob,
  // Workspace imports (ImportOperator); keyed by the cluster installation's IDs, the copy by
  // the installation ID.
  kEnsureTeam,
  kGetMaxUsersPerTeam,
  kSetMaxUsersPerTeam,
  kCopyImportArchive,
  kStartImportJob,  // async: GetImportJob answers "success" (or the injected error) after it
  kGetImportJob,
  kFindImportJob,
};

// "create-cluster", ... (for logs and failure messages).
std::string_view ToString(SimStep step);
// True for the steps whose duration is "time until the matching check answers done" rather
// than "time the call itself takes".
bool IsAsyncSimStep(SimStep step);

struct SimOptions {
  // How long every operation takes unless overridden (SetDuration). 0 = instant.
  int64_t default_duration_ms = 5;
  // Seed of the RNG behind SetFailureRate.
  uint64_t seed = 1;
  // Wall-time granularity with which a blocking call re-reads the injected Clock (so that a
  // ManualClock advanced by a test releases it within this time; Wake() releases it at once).
  int64_t wait_poll_ms = 2;
  // The simulated cloud lives in memory only. When true, a cluster or cluster installation it
  // has never seen (created before a server restart) is adopted as existing and ready instead of
  // answering kNotFound, so that a restarted `cloud server` carries on with its store. Resources
  // this SimCloud itself deleted stay gone. `cloud server` sets it; tests keep it off.
  bool adopt_unknown_resources = false;
  // Log Info records "sim call started" (step, resources comma-separated, nth, start_ms) and
  // "sim call" (the same plus end_ms; wall-clock ms) around every call (`cloud server
  // --sim-log-calls`; multi-process tests read them because every process has its own sim).
  bool log_calls = false;
  // Every backup (restore) Job ends failed once its duration has passed, as SetJobFails does
  // for one backup (`cloud server --sim-fail-jobs`, tests of the failure paths).
  bool fail_backup_jobs = false;
  bool fail_restore_jobs = false;
};

// Lifecycle: owned by app/ (or a test), outlives the ProvisionerSet and supervisors using it.
// Threading: every method is thread-safe; blocking calls wait outside the internal lock, so
// a slow call on one resource never delays calls on others. Time comes from the injected
// Clock only: with a ManualClock nothing completes until the test advances it.
//
// Failure injection: a call fails (kUnavailable "sim: injected failure ...") when any rule
// matches: FailAlways / FailNext for its step and one of its resource IDs (or any resource),
// FailNthCall for its step, or the seeded failure rate. A failing call still counts and still
// takes its time; it changes no state.
//
// Resource IDs a call is known by (for counting and failure rules): cluster steps the cluster
// ID; cluster installation steps the cluster installation ID, the installation ID and the
// cluster ID; database/filestore steps the installation ID; DNS steps each name; backup and
// restore steps the backup ID; import steps the cluster installation's IDs (the archive copy:
// the installation ID).
class SimCloud final : public ClusterProvisioner,
                       public ClusterInstallationProvisioner,
                       public InstallationProvisioner,
                       public DatabaseProvisioner,
                       public FilestoreProvisioner,
                       public DNSProvider,
                       public BackupOperator,
                       public RestoreOperator,
                       public ImportOperator {
 public:
  SimCloud(const Clock& clock, Logger log, SimOptions options = {});
  ~SimCloud() override;

  // A ProvisionerSet whose every port is this sim (for app/ and tests).
  ProvisionerSet MakeProvisionerSet();

  // --- configuration ----------------------------------------------------------------------
  void SetDefaultDuration(int64_t ms);
  void SetDuration(SimStep step, int64_t ms);
  void SetDuration(SimStep step, std::string resource_id, int64_t ms);
  // Makes the call itself block for `ms` more (any step), e.g. "installation create on X takes
  // 30 s" for head-of-line tests.
  void SetBlockFor(SimStep step, std::string resource_id, int64_t ms);
  void SetFailureRate(double rate);
  void FailAlways(SimStep step, std::string resource_id = {});
  void FailNext(SimStep step, std::string resource_id = {}, int times = 1);
  // The n-th call (1-based, counted over all resources from now on) of `step` fails.
  void FailNthCall(SimStep step, int64_t n);
  void ClearFailures();
  // The backup/restore Job of `backup_id` fails (CheckBackupStatus/CheckRestoreStatus report
  // JobStatus::kFailed once its duration has passed).
  void SetJobFails(std::string backup_id, bool fails = true);
  void SetClusterResources(std::string cluster_id, ClusterResources resources);
  // The import jobs started on `installation_id` end in status "error" with `error` (data.error)
  // once their duration has passed; an empty error makes them succeed again.
  void SetImportJobError(std::string installation_id, std::string error);
  // Releases blocking calls to re-read the clock now (after advancing a ManualClock).
  void Wake();
  // Makes every blocked and future blocking call return kUnavailable at once.
  void Shutdown();

  // --- observation --------------------------------------------------------------------------
  int64_t Calls(SimStep step) const;
  int64_t Calls(SimStep step, std::string_view resource_id) const;
  // Calls executing right now, and the most ever executing at once.
  int64_t InFlight() const;
  int64_t MaxInFlight() const;
  bool ClusterExists(std::string_view cluster_id) const;
  bool ClusterProvisioned(std::string_view cluster_id) const;
  bool ClusterInstallationExists(std::string_view ci_id) const;
  bool ClusterInstallationHibernated(std::string_view ci_id) const;
  // The endpoints a DNS name points to; nullopt when there is no record.
  std::optional<std::vector<std::string>> DNSRecord(std::string_view name) const;
  bool DatabaseExists(std::string_view installation_id) const;
  bool FilestoreExists(std::string_view installation_id) const;
  bool BackupJobExists(std::string_view backup_id) const;
  bool RestoreJobExists(std::string_view backup_id) const;
  // Import state of an installation: its teams, TeamSettings.MaxUsersPerTeam (Mattermost's
  // default 50 until set), the archives copied into its filestore
  // ("<bucket>/<installation ID>/import/<key>") and the import jobs started on it.
  bool TeamExists(std::string_view installation_id, std::string_view team) const;
  int64_t MaxUsersPerTeam(std::string_view installation_id) const;
  std::vector<std::string> ImportArchives(std::string_view installation_id) const;
  int64_t ImportJobsStarted(std::string_view installation_id) const;

  // --- ClusterProvisioner -----------------------------------------------------------------
  bool PrepareCluster(model::Cluster& cluster) override;
  Result<void> CreateCluster(model::Cluster& cluster) override;
  Result<bool> CheckClusterCreated(model::Cluster& cluster) override;
  Result<void> CreateNodegroups(model::Cluster& cluster) override;
  Result<bool> CheckNodegroupsCreated(model::Cluster& cluster) override;
  Result<void> DeleteNodegroups(model::Cluster& cluster) override;
  Result<void> ProvisionCluster(model::Cluster& cluster) override;
  Result<void> UpgradeCluster(model::Cluster& cluster) override;
  Result<void> ResizeCluster(model::Cluster& cluster) override;
  Result<bool> DeleteCluster(model::Cluster& cluster) override;
  Result<void> RefreshClusterMetadata(model::Cluster& cluster) override;

  // --- ClusterInstallationProvisioner -----------------------------------------------------
  Result<void> PrepareClusterUtilities(const model::Cluster& cluster,
                                       const model::Installation& installation) override;
  Result<void> CreateClusterInstallation(const model::Cluster& cluster,
                                         const model::Installation& installation,
                                         const std::vector<model::InstallationDNS>& dns,
                                         const model::ClusterInstallation& ci) override;
  Result<bool> EnsureCRMigrated(const model::Cluster& cluster,
                                const model::ClusterInstallation& ci) override;
  Result<void> UpdateClusterInstallation(const model::Cluster& cluster,
                                         const model::Installation& installation,
                                         const std::vector<model::InstallationDNS>& dns,
                                         const model::ClusterInstallation& ci) override;
  Result<void> HibernateClusterInstallation(const model::Cluster& cluster,
                                            const model::Installation& installation,
                                            const model::ClusterInstallation& ci) override;
  Result<void> DeleteOldClusterInstallationLicenseSecrets(
      const model::Cluster& cluster, const model::Installation& installation,
      const model::ClusterInstallation& ci) override;
  Result<void> DeleteClusterInstallation(const model::Cluster& cluster,
                                         const model::Installation& installation,
                                         const model::ClusterInstallation& ci) override;
  Result<ResourceReadiness> IsResourceReadyAndStable(const model::Cluster& cluster,
                                                     const model::ClusterInstallation& ci) override;
  Result<void> RefreshSecrets(const model::Cluster& cluster,
                              const model::Installation& installation,
                              const model::ClusterInstallation& ci) override;
  Result<std::string> ExecClusterInstallationCLI(const model::Cluster& cluster,
                                                 const model::ClusterInstallation& ci,
                                                 const std::vector<std::string>& args) override;
  Result<std::string> ExecMMCTL(const model::Cluster& cluster, const model::ClusterInstallation& ci,
                                const std::vector<std::string>& args) override;
  Result<void> ExecClusterInstallationJob(const model::Cluster& cluster,
                                          const model::ClusterInstallation& ci,
                                          const std::vector<std::string>& args) override;
  Result<model::ClusterInstallationStatus> GetClusterInstallationStatus(
      const model::Cluster& cluster, const model::ClusterInstallation& ci) override;

  // --- InstallationProvisioner ------------------------------------------------------------
  Result<ClusterResources> GetClusterResources(const model::Cluster& cluster,
                                               bool only_schedulable) override;
  Result<std::string> GetPublicLoadBalancerEndpoint(const model::Cluster& cluster,
                                                    std::string_view namespace_name) override;

  // --- DatabaseProvisioner / FilestoreProvisioner -----------------------------------------
  Result<void> ProvisionDatabase(const model::Installation& installation) override;
  Result<void> TeardownDatabase(const model::Installation& installation, bool keep_data) override;
  Result<void> SnapshotDatabase(const model::Installation& installation) override;
  Result<DatabaseSecret> GenerateDatabaseSecret(const model::Installation& installation) override;
  Result<void> RefreshResourceMetadata(const model::Installation& installation) override;
  Result<void> MigrateOut(const model::Installation& installation,
                          std::string_view source_database_id) override;
  Result<void> MigrateTo(const model::Installation& installation,
                         std::string_view destination_database_id) override;
  Result<void> TeardownMigrated(const model::Installation& installation,
                                std::string_view source_database_id) override;
  Result<void> RollbackMigration(const model::Installation& installation,
                                 std::string_view destination_database_id) override;
  Result<void> ProvisionFilestore(const model::Installation& installation) override;
  Result<void> TeardownFilestore(const model::Installation& installation, bool keep_data) override;

  // --- DNSProvider ------------------------------------------------------------------------
  Result<void> CreateDNSRecords(const std::vector<std::string>& names,
                                const std::vector<std::string>& endpoints) override;
  Result<void> DeleteDNSRecords(const std::vector<std::string>& names) override;

  // --- BackupOperator / RestoreOperator ---------------------------------------------------
  Result<model::S3DataResidence> TriggerBackup(const model::InstallationBackup& backup,
                                               const model::Cluster& cluster,
                                               const model::Installation& installation) override;
  Result<JobStatus> CheckBackupStatus(const model::InstallationBackup& backup,
                                      const model::Cluster& cluster) override;
  Result<void> CleanupBackupJob(const model::InstallationBackup& backup,
                                const model::Cluster& cluster) override;
  Result<void> DeleteBackupData(const model::InstallationBackup& backup) override;
  Result<void> TriggerRestore(const model::Installation& installation,
                              const model::InstallationBackup& backup,
                              const model::Cluster& cluster) override;
  Result<JobStatus> CheckRestoreStatus(const model::InstallationBackup& backup,
                                       const model::Cluster& cluster) override;
  Result<void> CleanupRestoreJob(const model::InstallationBackup& backup,
                                 const model::Cluster& cluster) override;

  // --- ImportOperator (sim_import.cc) -----------------------------------------------------
  Result<void> EnsureTeam(const model::Cluster& cluster, const model::ClusterInstallation& ci,
                          std::string_view team) override;
  Result<int64_t> GetMaxUsersPerTeam(const model::Cluster& cluster,
                                     const model::ClusterInstallation& ci) override;
  Result<void> SetMaxUsersPerTeam(const model::Cluster& cluster,
                                  const model::ClusterInstallation& ci, int64_t max_users) override;
  Result<void> CopyImportArchive(const model::Installation& installation,
                                 std::string_view source_bucket,
                                 std::string_view source_key) override;
  Result<ImportJob> StartImportJob(const model::Cluster& cluster,
                                   const model::ClusterInstallation& ci,
                                   std::string_view archive_key) override;
  Result<ImportJob> GetImportJob(const model::Cluster& cluster,
                                 const model::ClusterInstallation& ci,
                                 std::string_view job_id) override;
  Result<std::optional<ImportJob>> FindImportJob(const model::Cluster& cluster,
                                                 const model::ClusterInstallation& ci,
                                                 std::string_view archive_key) override;

 private:
  struct ClusterRecord {
    int64_t created_at = 0;  // ready for nodegroups at created_at + duration
    int64_t ready_at = 0;
    int64_t nodegroups_ready_at = 0;
    bool provisioned = false;
    std::optional<int64_t> deletion_done_at;
  };
  struct CIRecord {
    std::string cluster_id;
    std::string installation_id;
    int64_t ready_at = 0;
    bool hibernated = false;
  };
  struct JobRecord {
    int64_t started_at = 0;
    int64_t done_at = 0;
  };
  struct ImportJobRecord {
    std::string installation_id;
    std::string archive_key;
    int64_t started_at = 0;
    int64_t done_at = 0;
    std::string error;  // fixed when the job starts (SetImportJobError)
  };
  ImportJob ImportJobViewLocked(const std::string& id, const ImportJobRecord& job) const;
  // Counts the call, blocks for its duration (unless async) and block-for time, then applies
  // the failure rules. Returns the call's duration (for async steps: the time until done).
  Result<int64_t> Begin(SimStep step, const std::vector<std::string>& ids);
  int64_t DurationLocked(SimStep step, const std::vector<std::string>& ids) const;
  int64_t BlockForLocked(SimStep step, const std::vector<std::string>& ids) const;
  std::optional<std::string> FailureLocked(SimStep step, const std::vector<std::string>& ids,
                                           int64_t nth);
  // Blocks until the clock reaches `deadline` (or shutdown); Wake() makes it look again.
  Result<void> WaitUntil(int64_t deadline);
  Result<ClusterRecord*> ClusterLocked(const std::string& id);
  // The record of a cluster installation, adopting an unknown one when configured; null if none.
  CIRecord* CILocked(const model::ClusterInstallation& ci);
  Logger LogFor(std::string_view key, const std::string& id) const;

  const Clock& clock_;
  Logger log_;
  SimOptions options_;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool shutdown_ = false;
  std::mt19937_64 rng_;
  double failure_rate_ = 0;
  std::map<SimStep, int64_t> step_durations_;
  std::map<std::pair<SimStep, std::string>, int64_t> resource_durations_;
  std::map<std::pair<SimStep, std::string>, int64_t> block_for_;
  std::set<std::pair<SimStep, std::string>> fail_always_;
  std::map<std::pair<SimStep, std::string>, int> fail_next_;
  std::map<SimStep, std::set<int64_t>> fail_nth_;  // absolute call numbers
  std::map<SimStep, int64_t> calls_;
  std::map<std::pair<SimStep, std::string>, int64_t> resource_calls_;
  int64_t in_flight_ = 0;
  int64_t max_in_flight_ = 0;

  std::map<std::string, ClusterRecord, std::less<>> clusters_;
  std::map<std::string, CIRecord, std::less<>> cis_;
  // IDs this SimCloud deleted: never adopted again (SimOptions::adopt_unknown_resources).
  std::set<std::string, std::less<>> deleted_;
  std::map<std::string, std::vector<std::string>, std::less<>> dns_;
  std::set<std::string, std::less<>> databases_;
  std::set<std::string, std::less<>> filestores_;
  std::map<std::string, JobRecord, std::less<>> backup_jobs_;
  std::map<std::string, JobRecord, std::less<>> restore_jobs_;
  std::set<std::string, std::less<>> failing_jobs_;
  std::map<std::string, ClusterResources, std::less<>> resources_;
  std::map<std::string, std::set<std::string, std::less<>>, std::less<>> teams_;
  std::map<std::string, int64_t, std::less<>> max_users_per_team_;
  std::map<std::string, std::vector<std::string>, std::less<>> import_archives_;
  std::map<std::string, ImportJobRecord, std::less<>> import_jobs_;  // by job ID
  std::map<std::string, std::string, std::less<>> import_job_errors_;
};

}  // namespace cloud::provisioner::sim
