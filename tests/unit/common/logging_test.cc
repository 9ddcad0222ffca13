#include "common/logging.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace cloud {
namespace {

TEST(Logger, CarriesFieldsAndErrors) {
  auto sink = std::make_shared<CapturingLogSink>();
  Logger log(sink, LogLevel::kInfo);
  Logger scoped = log.With(std::string(logkey::kCluster), "abc").With("state", "stable");
  scoped.Debug("dropped below the level");
  scoped.Info("cluster is stable");
  scoped.Error("failed to provision", Internal("boom"));
  const auto records = sink->Records();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].message, "cluster is stable");
  ASSERT_EQ(records[0].fields.size(), 2u);
  EXPECT_EQ(records[0].fields[0].first, "cluster");
  EXPECT_EQ(records[0].fields[0].second, "abc");
  EXPECT_EQ(records[1].level, LogLevel::kError);
  EXPECT_EQ(records[1].fields.back().first, "error");
  EXPECT_EQ(records[1].fields.back().second, "boom");
}

// With({...}) adds several fields in one copy: a key already set is replaced in place, the
// others are appended in order; the original logger is unchanged.
TEST(Logger, WithSeveralFieldsReplacesAndAppends) {
  auto sink = std::make_shared<CapturingLogSink>();
  Logger base = Logger(sink).With("request", "old").With("component", "api");
  Logger scoped = base.With({{"handler", "h"}, {"request", "new"}, {"path", "/p"}});
  scoped.Info("handled");
  base.Info("base");
  EXPECT_TRUE(scoped.Enabled(LogLevel::kDebug));
  EXPECT_FALSE(Logger(sink, LogLevel::kWarn).Enabled(LogLevel::kInfo));
  const auto records = sink->Records();
  ASSERT_EQ(records.size(), 2u);
  const LogFields want = {
      {"request", "new"}, {"component", "api"}, {"handler", "h"}, {"path", "/p"}};
  EXPECT_EQ(records[0].fields, want);
  const LogFields base_fields = {{"request", "old"}, {"component", "api"}};
  EXPECT_EQ(records[1].fields, base_fields);
}

TEST(Logger, FormatsTextAndJson) {
  LogRecord record{LogLevel::kWarn, "lock held", {{"cluster", "abc"}, {"by", "two words"}}};
  EXPECT_EQ(FormatLogRecord(record, LogFormat::kText, "T"),
            "T WARN  lock held cluster=abc by=\"two words\"");
  auto line = nlohmann::json::parse(FormatLogRecord(record, LogFormat::kJson, "T"));
  EXPECT_EQ(line["level"], "warn");
  EXPECT_EQ(line["msg"], "lock held");
  EXPECT_EQ(line["cluster"], "abc");
  EXPECT_EQ(line["time"], "T");
}

}  // namespace
}  // namespace cloud
