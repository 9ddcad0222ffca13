// Structured logging: a Logger value carries key/value fields (.With) and writes records to
// a process-wide sink (spdlog underneath, human text or machine-readable JSON lines).
//
// Messages are lower-case fragments ("failed to lock cluster"); keys are fixed (below).
// Never log secrets: passwords, keys and tokens must not be passed as field values.
#pragma once

#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"

namespace cloud {

// Field keys used across the code base.
namespace logkey {
inline constexpr std::string_view kCluster = "cluster";
inline constexpr std::string_view kInstallation = "installation";
inline constexpr std::string_view kClusterInstallation = "cluster_installation";
inline constexpr std::string_view kGroup = "group";
inline constexpr std::string_view kBackup = "backup";
inline constexpr std::string_view kRestoration = "restoration";
inline constexpr std::string_view kMigration = "migration";
inline constexpr std::string_view kWebhook = "webhook";
inline constexpr std::string_view kSubscription = "subscription";
inline constexpr std::string_view kState = "state";
inline constexpr std::string_view kRequest = "request";
inline constexpr std::string_view kHandler = "handler";
inline constexpr std::string_view kMethod = "method";
inline constexpr std::string_view kPath = "path";
inline constexpr std::string_view kStatus = "status";
inline constexpr std::string_view kError = "error";
inline constexpr std::string_view kComponent = "component";
}  // namespace logkey

enum class LogLevel { kDebug, kInfo, kWarn, kError };
enum class LogFormat { kText, kJson };

std::string_view LogLevelName(LogLevel level);

using LogFields = std::vector<std::pair<std::string, std::string>>;

struct LogRecord {
  LogLevel level = LogLevel::kInfo;
  std::string message;
  LogFields fields;
};

// Where records go. The default sink writes to stderr through spdlog.
class LogSink {
 public:
  virtual ~LogSink() = default;
  virtual void Write(const LogRecord& record) = 0;
};

// Configures the process-wide default sink. Safe to call again (tests, `--dev`).
void ConfigureLogging(LogFormat format, LogLevel min_level);

// Renders a record as one line in the given format (no trailing newline); exposed for tests.
std::string FormatLogRecord(const LogRecord& record, LogFormat format, std::string_view time);

class Logger {
 public:
  // A logger writing to the process-wide sink.
  Logger();
  // A logger writing to `sink` (tests capture records this way).
  explicit Logger(std::shared_ptr<LogSink> sink, LogLevel min_level = LogLevel::kDebug);

  [[nodiscard]] Logger With(std::string_view key, std::string value) const;
  // Several fields at once (one copy of the fields, not one per field).
  [[nodiscard]] Logger With(
      std::initializer_list<std::pair<std::string_view, std::string_view>> fields) const;

  void Debug(std::string_view message) const { Log(LogLevel::kDebug, message, nullptr); }
  void Info(std::string_view message) const { Log(LogLevel::kInfo, message, nullptr); }
  void Warn(std::string_view message) const { Log(LogLevel::kWarn, message, nullptr); }
  void Warn(std::string_view message, const Error& error) const {
    Log(LogLevel::kWarn, message, &error);
  }
  void Error(std::string_view message) const { Log(LogLevel::kError, message, nullptr); }
  void Error(std::string_view message, const cloud::Error& error) const {
    Log(LogLevel::kError, message, &error);
  }

  const LogFields& fields() const { return fields_; }
  // Whether a record of `level` would be written (to build costly fields only then).
  bool Enabled(LogLevel level) const;

 private:
  void Log(LogLevel level, std::string_view message, const cloud::Error* error) const;

  std::shared_ptr<LogSink> sink_;  // null: the process-wide sink
  LogLevel min_level_ = LogLevel::kDebug;
  LogFields fields_;
};

// A sink that keeps records in memory, for assertions in tests. Thread-safe.
class CapturingLogSink final : public LogSink {
 public:
  void Write(const LogRecord& record) override;
  std::vector<LogRecord> Records() const;

 private:
  mutable std::mutex mu_;
  std::vector<LogRecord> records_;
};

}  // namespace cloud
