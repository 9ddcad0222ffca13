// ImportSupervisor: workspace imports handed out by AWAT (upstream internal/supervisor/import.go;
// spec upstream-core.md §1.10). Off by default (--import-supervisor, with --awat).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/logging.h"
#include "model/installation.h"
#include "provisioner/awat_client.h"
#include "provisioner/import_operator.h"
#include "store/cluster_installation_store.h"
#include "store/cluster_store.h"
#include "store/installation_store.h"
#include "store/lock_store.h"
#include "supervisor/doer.h"
#include "supervisor/lease_renewer.h"
#include "supervisor/notifier.h"
#include "supervisor/row_pass.h"

namespace cloud::supervisor {

// The store roles the import supervisor uses. All must outlive it.
struct ImportSupervisorStores {
  store::InstallationStore& installations;
  store::ClusterInstallationStore& cluster_installations;
  store::ClusterStore& clusters;
  store::LockStore& locks;
};

struct ImportSupervisorOptions {
  // The locker ID of installation leases, also sent to AWAT as the ProvisionerID.
  std::string instance_id;
  std::string environment;  // "Environment" extra data of the installation events
  // Woken (kImport, installation ID) when an import finished, so the installation's completion
  // is checked soon. Optional.
  Notifier* notifier = nullptr;
  // How often `mmctl import job show` is polled (upstream 5 s; wall clock).
  int64_t job_poll_interval_ms = 5'000;
  // Failure reports (CompleteImport with the error) are retried with exponential backoff from
  // the initial interval up to the max interval, for at most max elapsed (upstream 5 s, 10 min,
  // 30 min; wall clock).
  int64_t report_initial_backoff_ms = 5'000;
  int64_t report_max_backoff_ms = 600'000;
  int64_t report_max_elapsed_ms = 1'800'000;
};

// Work items (Doer): one per installation in import-complete (is AWAT done with it? then
// stable) or in import-in-progress without a live lease (a pass that crashed: resume it), and
// the AWAT work queue itself as the item kAwatQueueItem (ask AWAT for an import and run it).
// Installations are worked on under their lease (renewed during the import), so a second
// server instance never runs the same step; AWAT hands each import to one provisioner.
//
// Lifecycle: created once in app/ when --import-supervisor is set, driven by a Scheduler
//   (ResourceKind::kImport) whose poll is the only way to notice new AWAT work. Stop() (before
//   the scheduler's Stop) interrupts job polling and drops unsent failure reports.
// Reentrancy: a step re-run after a crash finds the started import in AWAT and the Mattermost
//   import job by its archive name, and waits for that job instead of starting another.
// Errors: steps never throw; AWAT being unreachable is logged and retried with backoff and by
//   the poll, and never stops the other supervisors (upstream aborts the MultiDoer chain).
class ImportSupervisor final : public Doer {
 public:
  static constexpr std::string_view kAwatQueueItem = "awat-import-queue";

  ImportSupervisor(ImportSupervisorStores stores, provisioner::AwatClient& awat,
                   provisioner::ImportOperator& import_operator, LeaseRenewer* renewer,
                   ImportSupervisorOptions options, Logger log);
  ~ImportSupervisor() override;
  ImportSupervisor(const ImportSupervisor&) = delete;
  ImportSupervisor& operator=(const ImportSupervisor&) = delete;

  std::string_view Name() const override { return "import"; }
  Result<std::vector<WorkItem>> GetPendingWork() override;
  StepOutcome Supervise(const WorkItem& item) override;
  void Shutdown() override { Stop(); }

  // Interrupts job polling (the installation stays import-in-progress; the next start resumes
  // it) and stops the failure reporter. Idempotent.
  void Stop();

  // Failure reports not yet delivered or given up.
  size_t PendingReportsForTest() const;
  // Waits (wall clock) until no failure report is pending. True if none is left.
  bool WaitReportsForTest(int64_t timeout_ms) const;

 private:
  using State = model::InstallationState;

  struct PendingReport {
    provisioner::AwatImportCompleted completed;
    int64_t first_attempt_ms = 0;  // steady clock
    int64_t next_attempt_ms = 0;
    int64_t backoff_ms = 0;
    int attempts = 0;
  };

  // The kAwatQueueItem pass.
  StepOutcome TakeWork();
  // Upstream importTranslation: lease the installation, stable -> import-in-progress, run the
  // import, -> import-complete (also on failure). Errors are reported to AWAT by the caller;
  // `interrupted` is set when Stop() cut the import short (nothing to report).
  Result<void> ImportTranslation(const provisioner::AwatImportStatus& work, const Logger& log,
                                 bool& interrupted);
  // The import steps proper; `resume` first looks for a job already started for the archive.
  Result<void> RunImport(const model::Installation& installation,
                         const provisioner::AwatImportStatus& work, bool resume, const Logger& log,
                         bool& interrupted);
  Result<void> WaitForImportJob(const model::Cluster& cluster, const model::ClusterInstallation& ci,
                                const std::string& job_id, const Logger& log, bool& interrupted);
  // Row passes on installations in import-complete / import-in-progress.
  State Transition(model::Installation& installation,
                   std::optional<provisioner::AwatImportStatus>& used, const Logger& log);
  // The installation's imports as AWAT lists them; nullopt (logged) when AWAT cannot be asked.
  std::optional<std::vector<provisioner::AwatImportStatus>> FetchImports(
      const model::Installation& installation, const Logger& log);
  State CheckImportComplete(model::Installation& installation,
                            std::optional<provisioner::AwatImportStatus>& used, const Logger& log);
  State ResumeImport(model::Installation& installation,
                     std::optional<provisioner::AwatImportStatus>& used, const Logger& log);
  std::map<std::string, std::string> EventExtra(
      const std::optional<provisioner::AwatImportStatus>& import) const;

  void QueueFailureReport(const std::string& import_id, std::string error, const Logger& log);
  void ReporterLoop();
  // Sleeps (wall clock) unless Stop() is called; false when stopping.
  bool SleepUnlessStopping(int64_t ms);

  ImportSupervisorStores stores_;
  provisioner::AwatClient& awat_;
  provisioner::ImportOperator& operator_;
  LeaseRenewer* renewer_;
  ImportSupervisorOptions options_;
  Logger log_;
  RowPassContext ctx_;

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;  // stop, new report, report finished
  bool stopping_ = false;
  std::deque<PendingReport> reports_;
  int reports_in_flight_ = 0;
  std::thread reporter_;
  // Polls of AWAT's queue that failed in a row: the first is an error, then one warning every
  // kAwatDownWarnEvery (not one per poll), and a line when AWAT answers again.
  static constexpr int64_t kAwatDownWarnEvery = 20;
  std::atomic<int64_t> awat_failures_in_a_row_{0};
};

}  // namespace cloud::supervisor
