// SchedulerSet: wake-up routing.
#include "supervisor/scheduler_set.h"

#include <array>
#include <string>
#include <utility>

namespace cloud::supervisor {
namespace {

constexpr std::array<std::pair<ResourceKind, std::string_view>, 9> kKindNames = {{
    {ResourceKind::kCluster, "cluster"},
    {ResourceKind::kInstallation, "installation"},
    {ResourceKind::kClusterInstallation, "cluster_installation"},
    {ResourceKind::kGroup, "group"},
    {ResourceKind::kInstallationDeletion, "installation_deletion"},
    {ResourceKind::kBackup, "backup"},
    {ResourceKind::kDBRestoration, "db_restoration"},
    {ResourceKind::kDBMigration, "db_migration"},
    {ResourceKind::kImport, "import"},
}};

}  // namespace

std::string_view ToString(ResourceKind kind) {
  for (const auto& [k, name] : kKindNames) {
    if (k == kind) return name;
  }
  return "unknown";
}

bool ParseEnum(std::string_view text, ResourceKind& out) {
  for (const auto& [k, name] : kKindNames) {
    if (name == text) {
      out = k;
      return true;
    }
  }
  return false;
}

SchedulerSet::SchedulerSet(Logger log, WakeupChannel* channel)
    : log_(log.With(logkey::kComponent, "schedulers")), channel_(channel) {}

SchedulerSet::~SchedulerSet() { Stop(); }

void SchedulerSet::Add(ResourceKind kind, std::unique_ptr<Scheduler> scheduler) {
  std::lock_guard lock(mu_);
  if (started_) {
    log_.Error("scheduler added after start; ignored");
    return;
  }
  schedulers_[kind] = std::move(scheduler);
}

Scheduler* SchedulerSet::Get(ResourceKind kind) const {
  auto it = schedulers_.find(kind);
  return it == schedulers_.end() ? nullptr : it->second.get();
}

void SchedulerSet::Start() {
  {
    std::lock_guard lock(mu_);
    if (started_) return;
    started_ = true;
  }
  for (auto& [kind, scheduler] : schedulers_) scheduler->Start();
  if (channel_ != nullptr) {
    Result<void> listening =
        channel_->Listen([this](ResourceKind kind, std::string id) { NotifyLocal(kind, id); });
    if (!listening)
      log_.Warn("failed to listen for wake-ups of other instances", listening.error());
  }
}

void SchedulerSet::Stop() {
  if (channel_ != nullptr) channel_->Close();
  for (auto& [kind, scheduler] : schedulers_) scheduler->Stop();
}

void SchedulerSet::NotifyLocal(ResourceKind kind, std::string_view id) {
  Scheduler* scheduler = Get(kind);
  if (scheduler == nullptr) return;
  if (id.empty()) {
    scheduler->Notify();
  } else {
    scheduler->Notify(id);
  }
}

void SchedulerSet::Publish(ResourceKind kind, std::string_view id) {
  if (channel_ == nullptr) return;
  if (Result<void> r = channel_->Publish(kind, id); !r) {
    log_.Warn("failed to publish wake-up to other instances", r.error());
  }
}

void SchedulerSet::Notify(ResourceKind kind) {
  NotifyLocal(kind, {});
  Publish(kind, {});
}

void SchedulerSet::Notify(ResourceKind kind, std::string_view id) {
  NotifyLocal(kind, id);
  Publish(kind, id);
}

}  // namespace cloud::supervisor
