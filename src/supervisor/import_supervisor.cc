// ImportSupervisor: AWAT workspace imports (upstream-core.md §1.10).
#include "supervisor/import_supervisor.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "model/filters.h"
#include "model/installation_enums.h"
#include "model/paging.h"
#include "supervisor/operation_support.h"

namespace cloud::supervisor {

using model::InstallationState;
using provisioner::AwatImportStatus;

namespace {

int64_t ImportSteadyNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Prefixes an error with `context` (Go's errors.Wrap).
template <class T>
Result<T> ImportStepContext(Result<T> result, const std::string& context) {
  if (!result) return result.error().WithContext(context);
  return result;
}

bool IsImportWorkState(InstallationState s) {
  return s == InstallationState::kImportComplete || s == InstallationState::kImportInProgress;
}

}  // namespace

ImportSupervisor::ImportSupervisor(ImportSupervisorStores stores, provisioner::AwatClient& awat,
                                   provisioner::ImportOperator& import_operator,
                                   LeaseRenewer* renewer, ImportSupervisorOptions options,
                                   Logger log)
    : stores_(stores),
      awat_(awat),
      operator_(import_operator),
      renewer_(renewer),
      options_(std::move(options)),
      log_(log.With(logkey::kComponent, "import-supervisor")),
      ctx_{stores_.locks, renewer, options_.instance_id, log_} {
  reporter_ = std::thread([this] { ReporterLoop(); });
}

ImportSupervisor::~ImportSupervisor() { Stop(); }

void ImportSupervisor::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (reporter_.joinable()) reporter_.join();
}

Result<std::vector<WorkItem>> ImportSupervisor::GetPendingWork() {
  std::vector<WorkItem> items;
  // Completions first, then resumptions of crashed passes, then new work from AWAT (upstream:
  // completeImports, then GetTranslationReadyToImport).
  for (const InstallationState state :
       {InstallationState::kImportComplete, InstallationState::kImportInProgress}) {
    model::InstallationFilter filter;
    filter.paging = model::AllPagesNotDeleted();
    filter.state = std::string(model::ToString(state));
    filter.include_group_config = false;
    filter.include_group_config_overrides = false;
    CLOUD_TRY(std::vector<model::Installation> installations,
              stores_.installations.GetInstallations(filter));
    for (const model::Installation& i : installations) {
      items.push_back(WorkItem{i.id, std::string(model::ToString(state))});
    }
  }
  items.push_back(WorkItem{std::string(kAwatQueueItem), std::nullopt});
  return items;
}

StepOutcome ImportSupervisor::Supervise(const WorkItem& item) {
  if (item.id == kAwatQueueItem) return TakeWork();

  std::optional<AwatImportStatus> used;  // the import the pass acted on (event extra data)
  RowPassHooks<model::Installation, State> hooks;
  hooks.table = store::LockTable::kInstallation;
  hooks.log_key = logkey::kInstallation;
  hooks.reload = [this](std::string_view id) {
    return stores_.installations.GetInstallation(id, store::GroupMerge::None());
  };
  hooks.state_of = [](const model::Installation& i) { return i.state; };
  hooks.state_name = [](State s) { return model::ToString(s); };
  hooks.has_pending_work = IsImportWorkState;
  hooks.transition = [this, &used](model::Installation& i, const store::Lease&,
                                   const Logger& step_log) {
    return Transition(i, used, step_log);
  };
  hooks.persist = [this, &used](model::Installation& i, State new_state, const store::Lease& lease,
                                const Logger&) {
    return stores_.installations.UpdateInstallationState(
        i.id, new_state, lease, store::EventOptions::IfChanged(EventExtra(used)));
  };
  return RunRowPass(ctx_, item, hooks);
}

std::map<std::string, std::string> ImportSupervisor::EventExtra(
    const std::optional<AwatImportStatus>& import) const {
  std::map<std::string, std::string> extra{{"Environment", options_.environment}};
  if (import) {
    extra["TranslationID"] = import->translation_id;
    extra["ImportID"] = import->id;
  }
  return extra;
}

InstallationState ImportSupervisor::Transition(model::Installation& installation,
                                               std::optional<AwatImportStatus>& used,
                                               const Logger& log) {
  switch (installation.state) {
    case InstallationState::kImportComplete:
      return CheckImportComplete(installation, used, log);
    case InstallationState::kImportInProgress:
      return ResumeImport(installation, used, log);
    default:
      return installation.state;
  }
}

std::optional<std::vector<AwatImportStatus>> ImportSupervisor::FetchImports(
    const model::Installation& installation, const Logger& log) {
  Result<std::vector<AwatImportStatus>> imports =
      awat_.GetImportStatusesByInstallation(installation.id);
  if (!imports) {
    log.Error("failed to get the installation's imports from AWAT; will retry", imports.error());
    return std::nullopt;
  }
  return std::move(*imports);
}

// Upstream checkInstallation: AWAT lists the imports most recently completed first; the
// installation goes back to stable once the newest ones are complete (stop at the first that
// is not: an import may still be running).
InstallationState ImportSupervisor::CheckImportComplete(model::Installation& installation,
                                                        std::optional<AwatImportStatus>& used,
                                                        const Logger& log) {
  std::optional<std::vector<AwatImportStatus>> imports = FetchImports(installation, log);
  if (!imports) return installation.state;
  if (imports->empty()) {
    log.Warn("AWAT has no imports for an installation in import-complete; will retry");
    return installation.state;
  }
  const AwatImportStatus* most_recent = nullptr;
  for (const AwatImportStatus& s : *imports) {
    if (s.state != provisioner::kAwatImportStateComplete) break;
    if (most_recent == nullptr || s.complete_at > most_recent->complete_at) most_recent = &s;
  }
  if (most_recent == nullptr) {
    log.Debug("AWAT has not completed the import yet");
    return installation.state;
  }
  used = *most_recent;
  log.With("import", most_recent->id)
      .With("translation", most_recent->translation_id)
      .Info("AWAT completed the import; installation back to stable");
  return InstallationState::kStable;
}

// Not upstream: an installation left in import-in-progress by a pass that died (its lease
// expired). AWAT never hands a started import out again, so the started import is resumed here.
InstallationState ImportSupervisor::ResumeImport(model::Installation& installation,
                                                 std::optional<AwatImportStatus>& used,
                                                 const Logger& log) {
  std::optional<std::vector<AwatImportStatus>> imports = FetchImports(installation, log);
  if (!imports) return installation.state;
  const AwatImportStatus* started = nullptr;
  for (const AwatImportStatus& s : *imports) {
    if (s.start_at != 0 && s.complete_at == 0 &&
        s.state == provisioner::kAwatImportStateInProgress) {
      started = &s;
      break;
    }
  }
  if (started == nullptr) {
    log.Warn(
        "installation in import-in-progress but AWAT has no running import for it; "
        "marking the import complete");
    return InstallationState::kImportComplete;
  }
  used = *started;
  const Logger import_log =
      log.With("import", started->id).With("translation", started->translation_id);
  import_log.Info("resuming an import interrupted by a crash or shutdown");
  bool interrupted = false;
  Result<void> r = RunImport(installation, *started, /*resume=*/true, import_log, interrupted);
  if (interrupted) return installation.state;
  if (Result<void> released = awat_.ReleaseLockOnImport(started->id); !released) {
    import_log.Warn("failed to release the AWAT lock on the import", released.error());
  }
  if (!r) {
    import_log.Error("import failed", r.error());
    QueueFailureReport(started->id, r.error().message, import_log);
  } else {
    import_log.Info("installation import job complete");
  }
  return InstallationState::kImportComplete;
}

StepOutcome ImportSupervisor::TakeWork() {
  Result<std::optional<AwatImportStatus>> work =
      awat_.GetTranslationReadyToImport(options_.instance_id);
  if (!work) {
    const int64_t failures = awat_failures_in_a_row_.fetch_add(1) + 1;
    const Logger log = log_.With("awat", awat_.address());
    if (failures == 1) {
      log.Error(
          "failed to get a ready import from AWAT; will retry (other supervisors keep running)",
          work.error());
    } else if (failures % kAwatDownWarnEvery == 0) {
      log.With("attempts", std::to_string(failures))
          .Warn("AWAT still unreachable; will retry", work.error());
    } else {
      log.Debug("AWAT still unreachable: " + work.error().message);
    }
    return StepOutcome::kStay;
  }
  if (const int64_t failures = awat_failures_in_a_row_.exchange(0); failures > 0) {
    log_.With("awat", awat_.address())
        .With("attempts", std::to_string(failures))
        .Info("AWAT answers again");
  }
  if (!work->has_value()) return StepOutcome::kDone;
  const AwatImportStatus& import = **work;
  const Logger log = log_.With("import", import.id)
                         .With("translation", import.translation_id)
                         .With(logkey::kInstallation, import.installation_id);
  log.Info("starting installation import");
  bool interrupted = false;
  Result<void> r = ImportTranslation(import, log, interrupted);
  if (interrupted) {
    log.Warn("import interrupted by shutdown; the next start resumes it");
    return StepOutcome::kDone;
  }
  if (Result<void> released = awat_.ReleaseLockOnImport(import.id); !released) {
    log.Warn("failed to release the AWAT lock on the import", released.error());
  }
  if (!r) {
    log.Error("failed to perform the import", r.error());
    QueueFailureReport(import.id, r.error().message, log);
  } else {
    log.Info("installation import job complete");
  }
  if (options_.notifier != nullptr && !import.installation_id.empty()) {
    options_.notifier->Notify(ResourceKind::kImport, import.installation_id);
  }
  return StepOutcome::kRequeue;  // AWAT may have more work
}

Result<void> ImportSupervisor::ImportTranslation(const AwatImportStatus& work, const Logger& log,
                                                 bool& interrupted) {
  CLOUD_TRY(std::optional<model::Installation> found,
            stores_.installations.GetInstallation(work.installation_id, store::GroupMerge::None()));
  if (!found) {
    return NotFound("installation " + work.installation_id + " not found for import " + work.id);
  }
  Result<HeldLease> lease = LeaseRow(stores_.locks, store::LockTable::kInstallation,
                                     work.installation_id, options_.instance_id, log);
  if (!lease) {
    return lease.error().WithContext("failed to get lock on installation " + work.installation_id);
  }
  std::optional<LeaseRenewer::Ticket> ticket;
  if (renewer_ != nullptr) ticket.emplace(renewer_->Track(lease->lease()));
  // Re-read under the lease: the state checked is the state we change.
  CLOUD_TRY(found,
            stores_.installations.GetInstallation(work.installation_id, store::GroupMerge::None()));
  if (!found) {
    return NotFound("installation " + work.installation_id + " not found for import " + work.id);
  }
  model::Installation& installation = *found;
  if (installation.state != InstallationState::kStable) {
    if (installation.state == InstallationState::kDeleted) {
      return FailedPrecondition("installation was deleted");
    }
    return FailedPrecondition("skipping import on installation " + installation.id +
                              " with state " + std::string(model::ToString(installation.state)) +
                              ": state must be stable to begin work");
  }
  const std::optional<AwatImportStatus> used = work;
  CLOUD_TRY_VOID(ImportStepContext(
      stores_.installations.UpdateInstallationState(
          installation.id, InstallationState::kImportInProgress, lease->lease(),
          store::EventOptions::IfChanged(EventExtra(used))),
      "failed to mark installation " + installation.id + " as import-in-progress"));
  log.With(logkey::kState, "import-in-progress").Info("state transition");
  installation.state = InstallationState::kImportInProgress;

  Result<void> r = RunImport(installation, work, /*resume=*/false, log, interrupted);
  if (interrupted) return r;
  // Upstream's deferred write: import-complete even when the import failed.
  if (Result<void> done = stores_.installations.UpdateInstallationState(
          installation.id, InstallationState::kImportComplete, lease->lease(),
          store::EventOptions::IfChanged(EventExtra(used)));
      !done) {
    log.Error("failed to mark installation as import-complete", done.error());
  } else {
    log.With(logkey::kState, "import-complete").Info("state transition");
  }
  return r;
}

Result<void> ImportSupervisor::RunImport(const model::Installation& installation,
                                         const AwatImportStatus& work, bool resume,
                                         const Logger& log, bool& interrupted) {
  model::ClusterInstallationFilter filter;
  filter.paging = model::AllPagesNotDeleted();
  filter.installation_id = installation.id;
  CLOUD_TRY(std::vector<model::ClusterInstallation> cis,
            stores_.cluster_installations.GetClusterInstallations(filter));
  if (cis.empty()) {
    return NotFound("no cluster installations found for installation " + installation.id);
  }
  const model::ClusterInstallation& ci = cis.front();
  CLOUD_TRY(model::Cluster cluster,
            ClusterOfClusterInstallation(stores_.cluster_installations, stores_.clusters, ci.id));
  const size_t slash = work.resource.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == work.resource.size()) {
    return InvalidArgument("failed to parse bucket/key from import " + work.id + " resource \"" +
                           work.resource + "\"");
  }
  const std::string bucket = work.resource.substr(0, slash);
  const std::string key = work.resource.substr(slash + 1);
  if (installation.filestore != model::kInstallationFilestoreMultiTenantAwsS3 &&
      installation.filestore != model::kInstallationFilestoreBifrost) {
    return FailedPrecondition("workspace imports to installations with the filestore " +
                              installation.filestore + " are not supported");
  }

  if (resume) {
    CLOUD_TRY(std::optional<provisioner::ImportJob> job, operator_.FindImportJob(cluster, ci, key));
    if (job) {
      log.With("job", job->id).Info("found the import job started before; waiting for it");
      return WaitForImportJob(cluster, ci, job->id, log, interrupted);
    }
  }

  // Upstream ensureTeamSettings.
  if (work.type != provisioner::kAwatBackupTypeMattermost) {
    CLOUD_TRY_VOID(ImportStepContext(operator_.EnsureTeam(cluster, ci, work.team),
                                     "failed to find or create team " + work.team));
  }
  if (work.users != 0) {
    CLOUD_TRY(int64_t current, operator_.GetMaxUsersPerTeam(cluster, ci));
    CLOUD_TRY_VOID(ImportStepContext(
        operator_.SetMaxUsersPerTeam(cluster, ci, current + work.users),
        "failed to add " + std::to_string(work.users) + " users to MaxUsersPerTeam"));
  }
  CLOUD_TRY_VOID(ImportStepContext(
      operator_.CopyImportArchive(installation, bucket, key),
      "failed to copy workspace import archive to installation " + installation.id + " filestore"));
  CLOUD_TRY(provisioner::ImportJob job,
            ImportStepContext(operator_.StartImportJob(cluster, ci, key),
                              "failed to start import process in Mattermost itself"));
  log.With("job", job.id).Info("started import job");
  return WaitForImportJob(cluster, ci, job.id, log, interrupted);
}

Result<void> ImportSupervisor::WaitForImportJob(const model::Cluster& cluster,
                                                const model::ClusterInstallation& ci,
                                                const std::string& job_id, const Logger& log,
                                                bool& interrupted) {
  const Logger job_log = log.With("job", job_id);
  while (true) {
    Result<provisioner::ImportJob> job = operator_.GetImportJob(cluster, ci, job_id);
    if (!job && job.error().code == ErrorCode::kNotFound) {
      return job.error().WithContext("import job " + job_id + " disappeared");
    }
    if (!job) {
      job_log.Warn("failed to check import job; will retry", job.error());
    } else if (!job->Running()) {
      if (job->status == "error") {
        std::string message = "import job failed with error " + job->error;
        if (!job->line_number.empty()) message += " on line " + job->line_number;
        if (!job->import_file.empty()) message += " in JSONL file from " + job->import_file;
        return Unavailable(std::move(message));
      }
      job_log.With(logkey::kStatus, job->status).Info("import job finished");
      return Ok();
    } else {
      job_log.With(logkey::kStatus, job->status)
          .With("progress", std::to_string(job->progress))
          .Debug("waiting for import job");
    }
    if (!SleepUnlessStopping(options_.job_poll_interval_ms)) {
      interrupted = true;
      return Unavailable("import supervisor stopping");
    }
  }
}

bool ImportSupervisor::SleepUnlessStopping(int64_t ms) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopping_; });
  return !stopping_;
}

void ImportSupervisor::QueueFailureReport(const std::string& import_id, std::string error,
                                          const Logger& log) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) {
      log.Warn("import failure not reported to AWAT: shutting down");
      return;
    }
    const int64_t now = ImportSteadyNowMs();
    PendingReport report;
    report.completed = provisioner::AwatImportCompleted{import_id, {}, std::move(error)};
    report.first_attempt_ms = now;
    report.next_attempt_ms = now;
    reports_.push_back(std::move(report));
  }
  cv_.notify_all();
}

void ImportSupervisor::ReporterLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (reports_.empty()) {
      cv_.wait(lock, [this] { return stopping_ || !reports_.empty(); });
      continue;
    }
    auto next = std::min_element(reports_.begin(), reports_.end(),
                                 [](const PendingReport& a, const PendingReport& b) {
                                   return a.next_attempt_ms < b.next_attempt_ms;
                                 });
    const int64_t now = ImportSteadyNowMs();
    if (next->next_attempt_ms > now) {
      cv_.wait_for(lock, std::chrono::milliseconds(next->next_attempt_ms - now));
      continue;
    }
    PendingReport report = std::move(*next);
    reports_.erase(next);
    ++reports_in_flight_;
    lock.unlock();
    ++report.attempts;
    if (report.completed.complete_at == 0) {
      // Upstream stamps CompleteAt once, before the first attempt (model.GetMillis()).
      report.completed.complete_at = std::chrono::duration_cast<std::chrono::milliseconds>(
                                         std::chrono::system_clock::now().time_since_epoch())
                                         .count();
    }
    Result<void> sent = awat_.CompleteImport(report.completed);
    const Logger log =
        log_.With("import", report.completed.id).With("attempts", std::to_string(report.attempts));
    lock.lock();
    --reports_in_flight_;
    if (sent) {
      log.Info("reported the import failure to AWAT");
    } else {
      const int64_t after = ImportSteadyNowMs();
      if (after - report.first_attempt_ms >= options_.report_max_elapsed_ms) {
        log.Error("gave up reporting the import failure to AWAT", sent.error());
      } else {
        report.backoff_ms = report.backoff_ms == 0
                                ? options_.report_initial_backoff_ms
                                : std::min(report.backoff_ms * 2, options_.report_max_backoff_ms);
        report.next_attempt_ms = after + report.backoff_ms;
        log.Warn("failed to report the import failure to AWAT; will retry", sent.error());
        reports_.push_back(std::move(report));
      }
    }
    cv_.notify_all();
  }
  for (const PendingReport& report : reports_) {
    log_.With("import", report.completed.id)
        .Warn("import failure not reported to AWAT: shutting down");
  }
  reports_.clear();
  cv_.notify_all();
}

size_t ImportSupervisor::PendingReportsForTest() const {
  std::lock_guard lock(mu_);
  return reports_.size() + static_cast<size_t>(reports_in_flight_);
}

bool ImportSupervisor::WaitReportsForTest(int64_t timeout_ms) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                      [this] { return reports_.empty() && reports_in_flight_ == 0; });
}

}  // namespace cloud::supervisor
