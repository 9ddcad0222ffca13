// SchedulerSet: the Notifier the API gets — routes wake-ups to the scheduler of each resource
// kind, and across server instances through a WakeupChannel.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string_view>

#include "common/logging.h"
#include "supervisor/notifier.h"
#include "supervisor/scheduler.h"

namespace cloud::supervisor {

// Lifecycle: built in app/; schedulers are added before Start(); Stop() stops the channel,
// then every scheduler (each waits for its running steps). Threading: Notify is thread-safe
// and never blocks on supervisor work; Add/Start/Stop are called from the composition root.
class SchedulerSet final : public Notifier {
 public:
  explicit SchedulerSet(Logger log, WakeupChannel* channel = nullptr);
  ~SchedulerSet() override;

  // Takes ownership. One scheduler per kind (a second Add for a kind replaces the first
  // before Start; not allowed after).
  void Add(ResourceKind kind, std::unique_ptr<Scheduler> scheduler);
  Scheduler* Get(ResourceKind kind) const;

  // Starts every scheduler, then listens on the channel (a listen failure is logged: the
  // poll still covers other instances' writes).
  void Start();
  void Stop();

  // Wake the local scheduler of `kind` (if any) and publish to the other instances.
  void Notify(ResourceKind kind) override;
  void Notify(ResourceKind kind, std::string_view id) override;
  // Wake the local scheduler only (what the channel's listener calls).
  void NotifyLocal(ResourceKind kind, std::string_view id);

 private:
  void Publish(ResourceKind kind, std::string_view id);

  Logger log_;
  WakeupChannel* channel_;
  std::map<ResourceKind, std::unique_ptr<Scheduler>> schedulers_;
  std::mutex mu_;
  bool started_ = false;
};

}  // namespace cloud::supervisor
