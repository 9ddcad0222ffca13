// SimCloud's ImportOperator: teams, TeamSettings.MaxUsersPerTeam, archives copied into the
// installation's filestore and Mattermost import jobs, in memory (every call through Begin()).
#include <algorithm>
#include <utility>

#include "common/id.h"
#include "model/installation_enums.h"
#include "provisioner/sim/sim_cloud.h"

namespace cloud::provisioner::sim {
namespace {

constexpr int64_t kSimDefaultMaxUsersPerTeam = 50;  // Mattermost's default
constexpr std::string_view kSimMultitenantFilestoreBucket = "sim-multitenant-filestore";

std::vector<std::string> SimImportKeys(const model::ClusterInstallation& ci) {
  return {ci.id, ci.installation_id, ci.cluster_id};
}

}  // namespace

void SimCloud::SetImportJobError(std::string installation_id, std::string error) {
  std::lock_guard lock(mu_);
  if (error.empty()) {
    import_job_errors_.erase(installation_id);
  } else {
    import_job_errors_[std::move(installation_id)] = std::move(error);
  }
}

bool SimCloud::TeamExists(std::string_view installation_id, std::string_view team) const {
  std::lock_guard lock(mu_);
  auto it = teams_.find(installation_id);
  return it != teams_.end() && it->second.contains(team);
}

int64_t SimCloud::MaxUsersPerTeam(std::string_view installation_id) const {
  std::lock_guard lock(mu_);
  auto it = max_users_per_team_.find(installation_id);
  return it == max_users_per_team_.end() ? kSimDefaultMaxUsersPerTeam : it->second;
}

std::vector<std::string> SimCloud::ImportArchives(std::string_view installation_id) const {
  std::lock_guard lock(mu_);
  auto it = import_archives_.find(installation_id);
  return it == import_archives_.end() ? std::vector<std::string>{} : it->second;
}

int64_t SimCloud::ImportJobsStarted(std::string_view installation_id) const {
  std::lock_guard lock(mu_);
  int64_t n = 0;
  for (const auto& [id, job] : import_jobs_) {
    if (job.installation_id == installation_id) ++n;
  }
  return n;
}

ImportJob SimCloud::ImportJobViewLocked(const std::string& id, const ImportJobRecord& job) const {
  ImportJob view;
  view.id = id;
  view.import_file = job.archive_key;
  const int64_t now = clock_.NowMillis();
  if (now < job.done_at) {
    view.status = now == job.started_at ? "pending" : "in_progress";
    const int64_t total = job.done_at - job.started_at;
    view.progress = total > 0 ? (now - job.started_at) * 100 / total : 0;
  } else if (!job.error.empty()) {
    view.status = "error";
    view.error = job.error;
    view.line_number = "1";
  } else {
    view.status = "success";
    view.progress = 100;
  }
  return view;
}

Result<void> SimCloud::EnsureTeam(const model::Cluster& cluster,
                                  const model::ClusterInstallation& ci, std::string_view team) {
  CLOUD_TRY_VOID(Begin(SimStep::kEnsureTeam, SimImportKeys(ci)));
  std::lock_guard lock(mu_);
  CLOUD_TRY_VOID(ClusterLocked(cluster.id));
  if (CILocked(ci) == nullptr) return NotFound("sim: no cluster installation " + ci.id);
  if (team.empty()) return InvalidArgument("sim: team name is empty");
  if (teams_[ci.installation_id].emplace(team).second) {
    LogFor(logkey::kInstallation, ci.installation_id)
        .With("team", std::string(team))
        .Info("sim: created team");
  }
  return Ok();
}

Result<int64_t> SimCloud::GetMaxUsersPerTeam(const model::Cluster& cluster,
                                             const model::ClusterInstallation& ci) {
  CLOUD_TRY_VOID(Begin(SimStep::kGetMaxUsersPerTeam, SimImportKeys(ci)));
  std::lock_guard lock(mu_);
  CLOUD_TRY_VOID(ClusterLocked(cluster.id));
  if (CILocked(ci) == nullptr) return NotFound("sim: no cluster installation " + ci.id);
  auto it = max_users_per_team_.find(ci.installation_id);
  return it == max_users_per_team_.end() ? kSimDefaultMaxUsersPerTeam : it->second;
}

Result<void> SimCloud::SetMaxUsersPerTeam(const model::Cluster& cluster,
                                          const model::ClusterInstallation& ci, int64_t max_users) {
  CLOUD_TRY_VOID(Begin(SimStep::kSetMaxUsersPerTeam, SimImportKeys(ci)));
  std::lock_guard lock(mu_);
  CLOUD_TRY_VOID(ClusterLocked(cluster.id));
  if (CILocked(ci) == nullptr) return NotFound("sim: no cluster installation " + ci.id);
  max_users_per_team_[ci.installation_id] = max_users;
  return Ok();
}

Result<void> SimCloud::CopyImportArchive(const model::Installation& installation,
                                         std::string_view source_bucket,
                                         std::string_view source_key) {
  CLOUD_TRY_VOID(Begin(SimStep::kCopyImportArchive, {installation.id}));
  if (installation.filestore != model::kInstallationFilestoreMultiTenantAwsS3 &&
      installation.filestore != model::kInstallationFilestoreBifrost) {
    return FailedPrecondition("sim: imports into the filestore " + installation.filestore +
                              " are not supported");
  }
  if (source_bucket.empty() || source_key.empty()) {
    return InvalidArgument("sim: empty import archive bucket or key");
  }
  std::lock_guard lock(mu_);
  std::string destination = std::string(kSimMultitenantFilestoreBucket) + "/" + installation.id +
                            "/import/" + std::string(source_key);
  std::vector<std::string>& archives = import_archives_[installation.id];
  if (std::find(archives.begin(), archives.end(), destination) == archives.end()) {
    archives.push_back(std::move(destination));
  }
  return Ok();
}

Result<ImportJob> SimCloud::StartImportJob(const model::Cluster& cluster,
                                           const model::ClusterInstallation& ci,
                                           std::string_view archive_key) {
  CLOUD_TRY(int64_t duration, Begin(SimStep::kStartImportJob, SimImportKeys(ci)));
  std::lock_guard lock(mu_);
  CLOUD_TRY_VOID(ClusterLocked(cluster.id));
  if (CILocked(ci) == nullptr) return NotFound("sim: no cluster installation " + ci.id);
  const std::string expected = std::string(kSimMultitenantFilestoreBucket) + "/" +
                               ci.installation_id + "/import/" + std::string(archive_key);
  const std::vector<std::string>& archives = import_archives_[ci.installation_id];
  if (std::find(archives.begin(), archives.end(), expected) == archives.end()) {
    return FailedPrecondition("sim: import archive " + std::string(archive_key) +
                              " is not in the installation's filestore");
  }
  const int64_t now = clock_.NowMillis();
  ImportJobRecord job{ci.installation_id, std::string(archive_key), now, now + duration, {}};
  if (auto it = import_job_errors_.find(ci.installation_id); it != import_job_errors_.end()) {
    job.error = it->second;
  }
  const std::string id = NewId();
  ImportJob view = ImportJobViewLocked(id, job);
  import_jobs_.emplace(id, std::move(job));
  LogFor(logkey::kInstallation, ci.installation_id)
      .With("job", id)
      .With("archive", std::string(archive_key))
      .Info("sim: started import job");
  return view;
}

Result<ImportJob> SimCloud::GetImportJob(const model::Cluster& cluster,
                                         const model::ClusterInstallation& ci,
                                         std::string_view job_id) {
  CLOUD_TRY_VOID(Begin(SimStep::kGetImportJob, SimImportKeys(ci)));
  std::lock_guard lock(mu_);
  CLOUD_TRY_VOID(ClusterLocked(cluster.id));
  auto it = import_jobs_.find(job_id);
  if (it == import_jobs_.end() || it->second.installation_id != ci.installation_id) {
    return NotFound("sim: no import job " + std::string(job_id));
  }
  return ImportJobViewLocked(it->first, it->second);
}

Result<std::optional<ImportJob>> SimCloud::FindImportJob(const model::Cluster& cluster,
                                                         const model::ClusterInstallation& ci,
                                                         std::string_view archive_key) {
  CLOUD_TRY_VOID(Begin(SimStep::kFindImportJob, SimImportKeys(ci)));
  std::lock_guard lock(mu_);
  CLOUD_TRY_VOID(ClusterLocked(cluster.id));
  const ImportJobRecord* latest = nullptr;
  const std::string* latest_id = nullptr;
  for (const auto& [id, job] : import_jobs_) {
    if (job.installation_id != ci.installation_id || job.archive_key != archive_key) continue;
    if (latest == nullptr || job.started_at >= latest->started_at) {
      latest = &job;
      latest_id = &id;
    }
  }
  if (latest == nullptr) return std::optional<ImportJob>();
  return std::optional<ImportJob>(ImportJobViewLocked(*latest_id, *latest));
}

}  // namespace cloud::provisioner::sim
