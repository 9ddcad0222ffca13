// WaitForState with a manual clock, and Go duration parsing.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "cli/wait.h"

namespace cloud::cli {
namespace {

// Serves states in order (the last one repeats); std::nullopt means 404.
struct ScriptedStates {
  std::vector<std::optional<std::string>> states;
  size_t calls = 0;
  StateGetter Getter() {
    return [this]() -> Result<std::optional<std::string>> {
      const size_t i = std::min(calls++, states.size() - 1);
      return states[i];
    };
  }
};

struct Harness {
  ManualClock clock{0};
  std::ostringstream progress;
  WaitIo Io(bool terminal) {
    WaitIo io;
    io.progress = &progress;
    io.terminal = terminal;
    io.clock = &clock;
    io.sleep = [this](int64_t ms) { clock.Advance(ms); };
    return io;
  }
};

WaitSpec ClusterSpec() {
  WaitSpec spec;
  spec.resource = "cluster";
  spec.id = "c1";
  spec.target_states = {"stable"};
  spec.failed_states = {"creation-failed"};
  spec.timeout_ms = 60'000;
  spec.poll_interval_ms = 5'000;
  spec.first_poll_interval_ms = 5'000;  // a fixed interval: the elapsed times below are exact
  return spec;
}

TEST(WaitForState, PrintsOneLinePerStateChangeWhenNotATerminal) {
  Harness h;
  ScriptedStates s{
      {"creation-requested", "creation-in-progress", "creation-in-progress", "stable"}};
  Result<std::string> r = WaitForState(ClusterSpec(), s.Getter(), h.Io(false));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, "stable");
  EXPECT_EQ(h.progress.str(),
            "cluster c1: creation-requested (elapsed 0s)\n"
            "cluster c1: creation-in-progress (elapsed 5s)\n"
            "cluster c1: stable (elapsed 15s)\n");
}

TEST(WaitForState, RedrawsOneLineOnATerminal) {
  Harness h;
  ScriptedStates s{{"creation-in-progress", "stable"}};
  ASSERT_TRUE(WaitForState(ClusterSpec(), s.Getter(), h.Io(true)));
  EXPECT_EQ(h.progress.str(),
            "\rcluster c1: creation-in-progress (elapsed 0s)\033[K"
            "\rcluster c1: stable (elapsed 5s)\033[K\n");
}

TEST(WaitForState, FailedStateIsAnError) {
  Harness h;
  ScriptedStates s{{"creation-in-progress", "creation-failed"}};
  Result<std::string> r = WaitForState(ClusterSpec(), s.Getter(), h.Io(false));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(r.error().message, "cluster c1 reached failed state creation-failed");
}

TEST(WaitForState, TimesOutWithTheLastState) {
  Harness h;
  ScriptedStates s{{"creation-in-progress"}};
  Result<std::string> r = WaitForState(ClusterSpec(), s.Getter(), h.Io(false));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(r.error().message,
            "timed out after 1m0s waiting for cluster c1 to reach stable (last state: "
            "creation-in-progress)");
  EXPECT_EQ(h.clock.NowMillis(), 60'000);
  EXPECT_EQ(s.calls, 13u);  // t = 0, 5, ..., 60 s
}

TEST(WaitForState, NotFoundEndsADeletionWaitOrFailsOtherwise) {
  Harness h;
  WaitSpec spec = ClusterSpec();
  spec.target_states = {"deleted"};
  spec.not_found_is_target = true;
  ScriptedStates deleting{{"deletion-in-progress", std::nullopt}};
  Result<std::string> r = WaitForState(spec, deleting.Getter(), h.Io(false));
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "");

  ScriptedStates vanished{{std::nullopt}};
  Result<std::string> missing = WaitForState(ClusterSpec(), vanished.Getter(), h.Io(false));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST(WaitForState, PollsSoonThenBacksOffToThePollInterval) {
  Harness h;
  WaitSpec spec = ClusterSpec();
  spec.first_poll_interval_ms = 100;
  spec.poll_interval_ms = 1'000;
  std::vector<int64_t> polled_at;
  StateGetter getter = [&]() -> Result<std::optional<std::string>> {
    polled_at.push_back(h.clock.NowMillis());
    if (polled_at.size() < 7) return std::optional<std::string>("creation-in-progress");
    return std::optional<std::string>("stable");
  };
  ASSERT_TRUE(WaitForState(spec, getter, h.Io(false)));
  EXPECT_EQ(polled_at, (std::vector<int64_t>{0, 100, 300, 700, 1'500, 2'500, 3'500}));
}

TEST(WaitForState, GetterErrorsStopTheWait) {
  Harness h;
  StateGetter broken = []() -> Result<std::optional<std::string>> {
    return Unavailable("failed to reach server at http://x");
  };
  Result<std::string> r = WaitForState(ClusterSpec(), broken, h.Io(false));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "failed to get cluster c1: failed to reach server at http://x");
}

TEST(ParseGoDuration, AcceptsGoSyntax) {
  struct Case {
    std::string text;
    int64_t nanos;
  };
  const std::vector<Case> ok = {
      {"0", 0},
      {"90s", 90'000'000'000},
      {"1.5h", 5'400'000'000'000},
      {"2h45m", 9'900'000'000'000},
      {"300ms", 300'000'000},
      {"-1m", -60'000'000'000},
      {"1h0m5s", 3'605'000'000'000},
      {"10us", 10'000},
  };
  for (const Case& c : ok) {
    SCOPED_TRACE(c.text);
    Result<int64_t> r = ParseGoDuration(c.text);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(*r, c.nanos);
  }
  for (const char* bad : {"", "5", "1x", "h", "--1s", "1s5"}) {
    SCOPED_TRACE(bad);
    Result<int64_t> r = ParseGoDuration(bad);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "time: invalid duration \"" + std::string(bad) + "\"");
  }
}

TEST(FormatGoDuration, MatchesGoDurationString) {
  EXPECT_EQ(FormatGoDuration(0), "0s");
  EXPECT_EQ(FormatGoDuration(12'000'000'000), "12s");
  EXPECT_EQ(FormatGoDuration(1'200'000'000'000), "20m0s");
  EXPECT_EQ(FormatGoDuration(3'605'000'000'000), "1h0m5s");
  EXPECT_EQ(FormatGoDuration(1'500'000'000), "1.5s");
  EXPECT_EQ(FormatGoDuration(-60'000'000'000), "-1m0s");
}

}  // namespace
}  // namespace cloud::cli
