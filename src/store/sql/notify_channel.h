// NotifyChannel: a database-wide broadcast between the processes sharing one database —
// PostgreSQL LISTEN/NOTIFY on a dedicated connection. The supervisors use it to wake the other
// server instances at once after a write (ARCHITECTURE.md decision 4); SQLite has no
// equivalent (one server instance per file), so there is no channel for it. No libpq type
// appears here.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/logging.h"
#include "common/result.h"
#include "store/sql/sql_connection.h"

namespace cloud::store {

struct NotifyChannelOptions {
  // The PostgreSQL channel name (an identifier; quoted when used).
  std::string channel = "cloud_wakeup";
  // Reconnect backoff of the listening connection: starts here, doubles up to the max.
  int64_t reconnect_min_ms = 100;
  int64_t reconnect_max_ms = 5'000;
};

// Lifecycle: made by OpenNotifyChannel around a SqlDatabase that outlives it; Listen() once;
// Close() (or the destructor) stops listening. Threading: Publish is thread-safe; handlers run
// on the channel's own listening thread, one at a time.
//
// Every message carries an origin tag unique to this object; a channel never delivers its own
// messages to its handler (another channel object in the same process does get them).
class NotifyChannel {
 public:
  // `payload` as given to Publish by another channel.
  using Handler = std::function<void(std::string payload)>;
  // Called after the listening connection was re-established: messages sent while it was down
  // are lost, so the receiver should look for work as if woken by everything.
  using ReconnectHandler = std::function<void()>;

  virtual ~NotifyChannel() = default;
  // NOTIFY on a pooled connection of the SqlDatabase (autocommit: delivered at once).
  // Call after the write it announces has committed. Payload: at most ~7,900 bytes.
  // Errors: kUnavailable when the database cannot be reached; kInvalidArgument for a payload
  // that is too long.
  virtual Result<void> Publish(std::string_view payload) = 0;
  // Opens the listening connection (LISTEN) on the caller's thread, then delivers messages on a
  // thread of its own until Close(). If the connection breaks (or cannot be opened at first) it
  // is reopened in the background with backoff, and `on_reconnect` runs once it is back.
  // Errors: kUnavailable when the first connection fails (retrying continues in the
  // background); kFailedPrecondition when called twice.
  virtual Result<void> Listen(Handler handler, ReconnectHandler on_reconnect) = 0;
  // Stops listening; returns once no handler runs or will run. Idempotent.
  virtual void Close() = 0;
};

// A channel for the database at `url` (the URL `db` was opened with). PostgreSQL only:
// kFailedPrecondition for SQLite URLs (callers then use in-process wake-ups alone).
Result<std::unique_ptr<NotifyChannel>> OpenNotifyChannel(std::string_view url, SqlDatabase& db,
                                                         const Logger& log,
                                                         NotifyChannelOptions options = {});

}  // namespace cloud::store
