// ImportOperator: the steps of a workspace import into an installation (upstream
// internal/supervisor/import.go over ImportProvisioner.ExecMMCTL and aws.S3LargeCopy; spec
// upstream-core.md §1.10, upstream-provisioning.md §3.9). A Kubernetes backend runs
// `./bin/mmctl --json --local ...` in the installation's pod; the sim keeps it in memory.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "model/cluster.h"
#include "model/cluster_installation.h"
#include "model/installation.h"

namespace cloud::provisioner {

// A Mattermost import job (`mmctl import job show` JSON: id, status, progress, data.error,
// data.line_number, data.import_file).
struct ImportJob {
  std::string id;
  std::string status;  // "pending", "in_progress", "success", "error", ...
  int64_t progress = 0;
  std::string error;
  std::string line_number;
  std::string import_file;
  // Upstream waits while the status is pending or in_progress.
  bool Running() const { return status == "pending" || status == "in_progress"; }
  friend bool operator==(const ImportJob&, const ImportJob&) = default;
};

// Thread-safe. Errors: kUnavailable for cluster/backend failures; kFailedPrecondition for an
// installation whose filestore cannot receive imports.
class ImportOperator {
 public:
  virtual ~ImportOperator() = default;

  // `mmctl team search <team>`, then `team create --name <team> --display_name <team>` when no
  // team has exactly that name. Idempotent.
  virtual Result<void> EnsureTeam(const model::Cluster& cluster,
                                  const model::ClusterInstallation& ci, std::string_view team) = 0;
  // `mmctl config get|set TeamSettings.MaxUsersPerTeam`.
  virtual Result<int64_t> GetMaxUsersPerTeam(const model::Cluster& cluster,
                                             const model::ClusterInstallation& ci) = 0;
  virtual Result<void> SetMaxUsersPerTeam(const model::Cluster& cluster,
                                          const model::ClusterInstallation& ci,
                                          int64_t max_users) = 0;
  // S3 large copy of <source_bucket>/<source_key> to
  // <multitenant bucket of the installation>/<installation ID>/import/<source_key>. Only the
  // aws-multitenant-s3 and bifrost filestores (else kFailedPrecondition). Overwrites.
  virtual Result<void> CopyImportArchive(const model::Installation& installation,
                                         std::string_view source_bucket,
                                         std::string_view source_key) = 0;
  // `mmctl import process --extract-content=false <archive_key>`: starts a Mattermost import
  // job and returns it.
  virtual Result<ImportJob> StartImportJob(const model::Cluster& cluster,
                                           const model::ClusterInstallation& ci,
                                           std::string_view archive_key) = 0;
  // `mmctl import job show <job_id>`. Errors: kNotFound when there is no such job.
  virtual Result<ImportJob> GetImportJob(const model::Cluster& cluster,
                                         const model::ClusterInstallation& ci,
                                         std::string_view job_id) = 0;
  // `mmctl import job list`: the most recent job importing `archive_key`, if any (lets a step
  // re-run after a crash find the job it started instead of importing twice).
  virtual Result<std::optional<ImportJob>> FindImportJob(const model::Cluster& cluster,
                                                         const model::ClusterInstallation& ci,
                                                         std::string_view archive_key) = 0;
};

}  // namespace cloud::provisioner
