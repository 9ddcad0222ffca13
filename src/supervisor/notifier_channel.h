// NotifyWakeupChannel: the WakeupChannel of server instances sharing a PostgreSQL database —
// wake-ups travel as "<kind>" or "<kind>:<id>" messages on a store::NotifyChannel
// (LISTEN/NOTIFY). SQLite servers have no channel (MakeWakeupChannel returns none).
#pragma once

#include <memory>
#include <string_view>

#include "common/logging.h"
#include "common/result.h"
#include "store/sql/notify_channel.h"
#include "supervisor/notifier.h"

namespace cloud::supervisor {

// Lifecycle: owns the NotifyChannel; Close() (or the destructor) stops it.
// Threading: Publish is thread-safe; the handler runs on the channel's thread.
class NotifyWakeupChannel final : public WakeupChannel {
 public:
  NotifyWakeupChannel(std::unique_ptr<store::NotifyChannel> channel, Logger log);
  ~NotifyWakeupChannel() override;

  Result<void> Publish(ResourceKind kind, std::string_view id) override;
  // Messages of unknown kinds are ignored (a newer instance may know more kinds). After the
  // listening connection was re-established, `handler` gets a kind-wide wake-up for every kind
  // (wake-ups sent meanwhile were lost).
  Result<void> Listen(Handler handler) override;
  void Close() override;

 private:
  std::unique_ptr<store::NotifyChannel> channel_;
  Logger log_;
};

// The wake-up channel for the database at `url`: a NotifyWakeupChannel on PostgreSQL, nullptr
// on SQLite (one instance per database; in-process wake-ups suffice).
// Errors: those of store::OpenNotifyChannel for a PostgreSQL URL.
Result<std::unique_ptr<WakeupChannel>> MakeWakeupChannel(std::string_view url,
                                                         store::SqlDatabase& db, const Logger& log,
                                                         store::NotifyChannelOptions options = {});

}  // namespace cloud::supervisor
