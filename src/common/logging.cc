#include "common/logging.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>

namespace cloud {
namespace {

struct GlobalConfig {
  std::atomic<LogFormat> format{LogFormat::kText};
  std::atomic<LogLevel> min_level{LogLevel::kInfo};
  std::shared_ptr<spdlog::logger> out;
};

GlobalConfig& Global() {
  static GlobalConfig* config = [] {
    auto* c = new GlobalConfig();  // never destroyed: loggers may run during static teardown
    c->out = std::make_shared<spdlog::logger>("cloud",
                                              std::make_shared<spdlog::sinks::stderr_sink_mt>());
    c->out->set_pattern("%v");
    c->out->set_level(spdlog::level::trace);
    c->out->flush_on(spdlog::level::trace);
    return c;
  }();
  return *config;
}

std::string NowRfc3339() {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const std::time_t secs = system_clock::to_time_t(now);
  const auto millis = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof(out), "%s.%03lldZ", buf, static_cast<long long>(millis));
  return out;
}

bool NeedsQuoting(std::string_view value) {
  if (value.empty()) return true;
  for (char c : value) {
    if (c == ' ' || c == '"' || c == '=' || static_cast<unsigned char>(c) < 0x20) return true;
  }
  return false;
}

// Sets `key` in `fields`: a key set again replaces its value (a component handed an
// already-tagged logger tags it once, not twice).
void SetField(LogFields& fields, std::string_view key, std::string value) {
  for (auto& field : fields) {
    if (field.first == key) {
      field.second = std::move(value);
      return;
    }
  }
  fields.emplace_back(std::string(key), std::move(value));
}

}  // namespace

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

void ConfigureLogging(LogFormat format, LogLevel min_level) {
  Global().format.store(format);
  Global().min_level.store(min_level);
}

std::string FormatLogRecord(const LogRecord& record, LogFormat format, std::string_view time) {
  if (format == LogFormat::kJson) {
    nlohmann::ordered_json line;
    line["time"] = time;
    line["level"] = LogLevelName(record.level);
    line["msg"] = record.message;
    for (const auto& [key, value] : record.fields) line[key] = value;
    return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  std::string out;
  out.reserve(128);
  out += time;
  out += ' ';
  std::string level(LogLevelName(record.level));
  for (char& c : level) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  level.resize(5, ' ');
  out += level;
  out += ' ';
  out += record.message;
  for (const auto& [key, value] : record.fields) {
    out += ' ';
    out += key;
    out += '=';
    if (NeedsQuoting(value)) {
      out += nlohmann::json(value).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    } else {
      out += value;
    }
  }
  return out;
}

Logger::Logger() = default;

Logger::Logger(std::shared_ptr<LogSink> sink, LogLevel min_level)
    : sink_(std::move(sink)), min_level_(min_level) {}

Logger Logger::With(
    std::initializer_list<std::pair<std::string_view, std::string_view>> fields) const {
  Logger copy;
  copy.sink_ = sink_;
  copy.min_level_ = min_level_;
  copy.fields_.reserve(fields_.size() + fields.size());
  copy.fields_ = fields_;
  for (const auto& [key, value] : fields) SetField(copy.fields_, key, std::string(value));
  return copy;
}

Logger Logger::With(std::string_view key, std::string value) const {
  Logger copy = *this;
  SetField(copy.fields_, key, std::move(value));
  return copy;
}

bool Logger::Enabled(LogLevel level) const {
  return level >= (sink_ ? min_level_ : Global().min_level.load());
}

void Logger::Log(LogLevel level, std::string_view message, const cloud::Error* error) const {
  // The level is checked before the record is built: a filtered-out debug line (one per API
  // request) costs no copies.
  if (!Enabled(level)) return;
  LogRecord record{level, std::string(message), fields_};
  if (error != nullptr) record.fields.emplace_back(std::string(logkey::kError), error->message);
  if (sink_) {
    sink_->Write(record);
    return;
  }
  GlobalConfig& global = Global();
  global.out->info(FormatLogRecord(record, global.format.load(), NowRfc3339()));
}

void CapturingLogSink::Write(const LogRecord& record) {
  std::lock_guard lock(mu_);
  records_.push_back(record);
}

std::vector<LogRecord> CapturingLogSink::Records() const {
  std::lock_guard lock(mu_);
  return records_;
}

}  // namespace cloud
