// NotifyWakeupChannel: wake-ups as messages on a store::NotifyChannel.
#include "supervisor/notifier_channel.h"

#include <string>
#include <utility>

namespace cloud::supervisor {
namespace {

constexpr ResourceKind kAllKinds[] = {
    ResourceKind::kCluster,
    ResourceKind::kInstallation,
    ResourceKind::kClusterInstallation,
    ResourceKind::kGroup,
    ResourceKind::kInstallationDeletion,
    ResourceKind::kBackup,
    ResourceKind::kDBRestoration,
    ResourceKind::kDBMigration,
    ResourceKind::kImport,
};

}  // namespace

NotifyWakeupChannel::NotifyWakeupChannel(std::unique_ptr<store::NotifyChannel> channel, Logger log)
    : channel_(std::move(channel)), log_(log.With(logkey::kComponent, "wakeup-channel")) {}

NotifyWakeupChannel::~NotifyWakeupChannel() { Close(); }

Result<void> NotifyWakeupChannel::Publish(ResourceKind kind, std::string_view id) {
  std::string payload(ToString(kind));
  if (!id.empty()) {
    payload += ':';
    payload += id;
  }
  return channel_->Publish(payload);
}

Result<void> NotifyWakeupChannel::Listen(Handler handler) {
  auto on_message = [handler, log = log_](std::string payload) {
    const size_t colon = payload.find(':');
    const std::string_view kind_text =
        std::string_view(payload).substr(0, colon == std::string::npos ? payload.size() : colon);
    ResourceKind kind;
    if (!ParseEnum(kind_text, kind)) {
      log.With("payload", payload).Debug("ignoring a wake-up of an unknown kind");
      return;
    }
    handler(kind, colon == std::string::npos ? std::string() : payload.substr(colon + 1));
  };
  auto on_reconnect = [handler] {
    for (ResourceKind kind : kAllKinds) handler(kind, std::string());
  };
  return channel_->Listen(std::move(on_message), std::move(on_reconnect));
}

void NotifyWakeupChannel::Close() { channel_->Close(); }

Result<std::unique_ptr<WakeupChannel>> MakeWakeupChannel(std::string_view url,
                                                         store::SqlDatabase& db, const Logger& log,
                                                         store::NotifyChannelOptions options) {
  if (db.dialect() != store::Dialect::kPostgres) return std::unique_ptr<WakeupChannel>();
  CLOUD_TRY(std::unique_ptr<store::NotifyChannel> channel,
            store::OpenNotifyChannel(url, db, log, std::move(options)));
  return std::unique_ptr<WakeupChannel>(
      std::make_unique<NotifyWakeupChannel>(std::move(channel), log));
}

}  // namespace cloud::supervisor
