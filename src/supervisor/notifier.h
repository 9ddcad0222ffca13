// Notifier and WakeupChannel: how API writes wake the right supervisor at once, in this
// process and in the other server instances sharing the database (ARCHITECTURE.md decision 4).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace cloud::supervisor {

// The supervisors that can be woken (one Scheduler each).
enum class ResourceKind {
  kCluster,
  kInstallation,
  kClusterInstallation,
  kGroup,
  kInstallationDeletion,
  kBackup,
  kDBRestoration,
  kDBMigration,
  kImport,
};

// "cluster", "installation", "cluster_installation", "group", "installation_deletion",
// "backup", "db_restoration", "db_migration", "import" (also the wake-up payload prefix).
std::string_view ToString(ResourceKind kind);
bool ParseEnum(std::string_view text, ResourceKind& out);

// Wakes supervisors. The API calls it after its write committed and its row lock (lease) was
// released (mattermost's unlockOnce), so the woken pass can claim the row.
// Threading: thread-safe; never blocks on supervisor work, never fails (a lost wake-up is
// covered by the safety-net poll).
class Notifier {
 public:
  virtual ~Notifier() = default;
  // Look for work of this kind now (a pending-work query).
  virtual void Notify(ResourceKind kind) = 0;
  // Process this row now (no query; the pass checks the row still has work).
  virtual void Notify(ResourceKind kind, std::string_view id) = 0;
};

// A Notifier that does nothing (API-only servers, tests that do not care).
class NullNotifier final : public Notifier {
 public:
  void Notify(ResourceKind) override {}
  void Notify(ResourceKind, std::string_view) override {}
};

// The cross-instance leg of wake-ups. The PostgreSQL implementation belongs to the store
// layer (NOTIFY on a channel such as "cloud_wakeup" with payload "<kind>" or "<kind>:<id>",
// and a LISTEN connection on a thread of its own); SQLite servers run a single instance and
// need none.
//
// Contract: Publish never blocks for long and may drop (the poll is the safety net). Listen
// starts delivering wake-ups published by OTHER instances (an implementation filters out its
// own, e.g. with an origin tag in the payload) to `handler`, on a thread of the channel's own,
// until Close(). `id` is empty for a kind-wide wake-up.
class WakeupChannel {
 public:
  using Handler = std::function<void(ResourceKind kind, std::string id)>;

  virtual ~WakeupChannel() = default;
  // Errors: kUnavailable when the database cannot be reached (logged by the caller).
  virtual Result<void> Publish(ResourceKind kind, std::string_view id) = 0;
  // Errors: kUnavailable when listening cannot start.
  virtual Result<void> Listen(Handler handler) = 0;
  // Stops delivering; returns once the handler will not be called again.
  virtual void Close() = 0;
};

}  // namespace cloud::supervisor
