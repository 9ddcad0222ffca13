// NotifyChannel over PostgreSQL LISTEN/NOTIFY: NOTIFY through the pool (pg_notify), LISTEN on a
// dedicated libpq connection watched by a thread with poll(2) on its socket and on a pipe that
// Close() writes to. libpq types never leave this file.
#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <utility>

#include "common/id.h"
#include "store/sql/notify_channel.h"

namespace cloud::store {
namespace {

// PostgreSQL's NOTIFY payload limit is 8000 bytes; the origin tag and separator take the rest.
constexpr size_t kMaxPayload = 7'900;
constexpr char kOriginSeparator = '|';

std::string OneLine(std::string_view text) {
  std::string out;
  for (char c : text) out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

class PgNotifyChannel final : public NotifyChannel {
 public:
  PgNotifyChannel(std::string conninfo, std::string redacted_url, SqlDatabase& db, Logger log,
                  NotifyChannelOptions options)
      : conninfo_(std::move(conninfo)),
        redacted_url_(std::move(redacted_url)),
        db_(db),
        log_(log.With(logkey::kComponent, "notify-channel").With("channel", options.channel)),
        options_(std::move(options)),
        origin_(NewId()) {}

  ~PgNotifyChannel() override { Close(); }

  Result<void> Publish(std::string_view payload) override {
    if (payload.size() > kMaxPayload) {
      return InvalidArgument("notification payload of " + std::to_string(payload.size()) +
                             " bytes is longer than " + std::to_string(kMaxPayload));
    }
    std::string message = origin_ + kOriginSeparator + std::string(payload);
    Result<Rows> rows = db_.Query("SELECT pg_notify($1, $2)", {options_.channel, message});
    if (!rows) return rows.error();
    return Ok();
  }

  Result<void> Listen(Handler handler, ReconnectHandler on_reconnect) override {
    {
      std::lock_guard lock(mu_);
      if (listening_) return FailedPrecondition("the notify channel is already listening");
      listening_ = true;
    }
    handler_ = std::move(handler);
    on_reconnect_ = std::move(on_reconnect);
    int fds[2];
    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
      return Internal("cannot create the wake-up pipe of the notify channel");
    }
    stop_read_ = fds[0];
    stop_write_ = fds[1];
    Result<PGconn*> conn = ConnectAndListen();
    Result<void> first = Ok();
    if (!conn) first = conn.error();
    PGconn* initial = conn ? *conn : nullptr;
    thread_ = std::thread([this, initial] { Loop(initial); });
    return first;
  }

  void Close() override {
    {
      std::lock_guard lock(mu_);
      if (closed_ || !listening_) {
        closed_ = true;
        return;
      }
      closed_ = true;
    }
    stopping_ = true;
    const char byte = 1;
    (void)!write(stop_write_, &byte, 1);
    if (thread_.joinable()) thread_.join();
    close(stop_read_);
    close(stop_write_);
  }

 private:
  Result<PGconn*> ConnectAndListen() {
    // TCP keepalives notice a silently dropped connection (no traffic flows while listening).
    const char* keywords[] = {"connect_timeout",
                              "keepalives",
                              "keepalives_idle",
                              "keepalives_interval",
                              "keepalives_count",
                              "dbname",
                              nullptr};
    const char* values[] = {"10", "1", "10", "5", "3", conninfo_.c_str(), nullptr};
    PGconn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
    if (conn == nullptr) return Unavailable("cannot connect to PostgreSQL: out of memory");
    if (PQstatus(conn) != CONNECTION_OK) {
      Error error = Unavailable("cannot connect to PostgreSQL at " + redacted_url_ +
                                " to listen for notifications: " + OneLine(PQerrorMessage(conn)));
      PQfinish(conn);
      return error;
    }
    PQsetNoticeProcessor(
        conn, [](void*, const char*) {}, nullptr);
    char* ident = PQescapeIdentifier(conn, options_.channel.c_str(), options_.channel.size());
    if (ident == nullptr) {
      Error error = InvalidArgument("bad notification channel name: " + options_.channel);
      PQfinish(conn);
      return error;
    }
    const std::string sql = std::string("LISTEN ") + ident;
    PQfreemem(ident);
    PGresult* res = PQexec(conn, sql.c_str());
    const bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    std::string message = ok ? "" : OneLine(PQresultErrorMessage(res));
    PQclear(res);
    if (!ok) {
      PQfinish(conn);
      return Unavailable("LISTEN failed: " + message);
    }
    if (PQsetnonblocking(conn, 1) != 0) {
      PQfinish(conn);
      return Unavailable("cannot make the listening connection non-blocking");
    }
    return conn;
  }

  // Waits up to `ms` or until Close(); true when stopping.
  bool SleepOrStop(int64_t ms) {
    pollfd fd{stop_read_, POLLIN, 0};
    poll(&fd, 1, static_cast<int>(ms));
    return stopping_;
  }

  void Deliver(PGconn* conn) {
    while (PGnotify* n = PQnotifies(conn)) {
      std::string_view message(n->extra != nullptr ? n->extra : "");
      const size_t sep = message.find(kOriginSeparator);
      if (sep != std::string_view::npos && message.substr(0, sep) != origin_) {
        handler_(std::string(message.substr(sep + 1)));
      }
      PQfreemem(n);
    }
  }

  // Runs until Close(): watches the connection, reconnects with backoff when it breaks.
  void Loop(PGconn* conn) {
    int64_t backoff = options_.reconnect_min_ms;
    bool lost = conn == nullptr;  // a reconnect owes the receiver a catch-up
    while (!stopping_) {
      if (conn == nullptr) {
        Result<PGconn*> next = ConnectAndListen();
        if (!next) {
          log_.Warn("notification listener cannot reconnect; retrying", next.error());
          if (SleepOrStop(backoff)) break;
          backoff = std::min(backoff * 2, options_.reconnect_max_ms);
          continue;
        }
        conn = *next;
        backoff = options_.reconnect_min_ms;
        if (lost) {
          log_.Info("notification listener reconnected");
          if (on_reconnect_) on_reconnect_();
        }
        lost = false;
        Deliver(conn);  // anything that arrived while LISTEN ran
      }
      pollfd fds[2] = {{PQsocket(conn), POLLIN, 0}, {stop_read_, POLLIN, 0}};
      const int ready = poll(fds, 2, -1);
      if (stopping_) break;
      if (ready < 0) continue;  // EINTR
      if ((fds[0].revents & (POLLIN | POLLERR | POLLHUP)) == 0) continue;
      if (PQconsumeInput(conn) == 0 || PQstatus(conn) != CONNECTION_OK) {
        log_.With(logkey::kError, OneLine(PQerrorMessage(conn)))
            .Warn("notification listener lost its connection; reconnecting");
        PQfinish(conn);
        conn = nullptr;
        lost = true;
        continue;
      }
      Deliver(conn);
    }
    if (conn != nullptr) PQfinish(conn);
  }

  const std::string conninfo_;
  const std::string redacted_url_;
  SqlDatabase& db_;
  Logger log_;
  const NotifyChannelOptions options_;
  const std::string origin_;

  std::mutex mu_;
  bool listening_ = false;
  bool closed_ = false;
  std::atomic<bool> stopping_ = false;
  Handler handler_;
  ReconnectHandler on_reconnect_;
  int stop_read_ = -1;
  int stop_write_ = -1;
  std::thread thread_;
};

}  // namespace

Result<std::unique_ptr<NotifyChannel>> OpenNotifyChannel(std::string_view url, SqlDatabase& db,
                                                         const Logger& log,
                                                         NotifyChannelOptions options) {
  CLOUD_TRY(ParsedDatabaseUrl parsed, ParseDatabaseUrl(url));
  if (parsed.dialect != Dialect::kPostgres) {
    return FailedPrecondition("notification channels need PostgreSQL; " +
                              std::string(DialectName(parsed.dialect)) + " has none");
  }
  if (options.channel.empty()) return InvalidArgument("empty notification channel name");
  return std::unique_ptr<NotifyChannel>(std::make_unique<PgNotifyChannel>(
      parsed.target, RedactDatabaseUrl(url), db, log, std::move(options)));
}

}  // namespace cloud::store
