// Waiting with progress (our addition to upstream's CLI): polls a resource until it reaches a
// target state, a failed state, or a timeout, drawing progress on the terminal.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"

namespace cloud::cli {

struct WaitSpec {
  std::string resource;  // "cluster", "installation" ... (first word of the progress line)
  std::string id;
  std::vector<std::string> target_states;  // success when the state is one of these
  std::vector<std::string> failed_states;  // failure when the state is one of these
  bool not_found_is_target = false;        // deletions: a 404 ends the wait successfully
  int64_t timeout_ms = 20 * 60 * 1000;
  int64_t poll_interval_ms = 2000;       // the longest pause between two polls
  int64_t first_poll_interval_ms = 100;  // the first pause; it doubles up to poll_interval_ms
};

// Where progress goes and how time passes (tests pass a ManualClock and a fake sleep).
struct WaitIo {
  std::ostream* progress = nullptr;  // nullptr: no progress output
  bool terminal = false;             // redraw one line instead of one line per state change
  const Clock* clock = nullptr;      // nullptr: the system clock
  std::function<void(int64_t millis)> sleep;  // empty: std::this_thread::sleep_for
};

// Returns the current state, or nullopt when the resource does not exist (404).
using StateGetter = std::function<Result<std::optional<std::string>>()>;

// Polls `get_state` (after first_poll_interval_ms, doubling up to poll_interval_ms) until the state
// is in target_states (returns it), in failed_states, or timeout_ms passed. On a terminal the
// progress is one redrawn line
// "<resource> <id>: <state> (elapsed 12s)"; otherwise one such line per state change.
// Returns the final state ("deleted"-like "not found" is returned as "" when
// not_found_is_target). Errors: kFailedPrecondition "<resource> <id> reached failed state
// <state>"; kUnavailable "timed out after <d> waiting for <resource> <id> ..."; kNotFound when
// the resource vanished and that is not a target; errors of `get_state` as they are.
Result<std::string> WaitForState(const WaitSpec& spec, const StateGetter& get_state,
                                 const WaitIo& io);

// Go's time.ParseDuration ("300ms", "1.5h", "2h45m", "-1m"): nanoseconds.
// Errors: kInvalidArgument `time: invalid duration "<text>"`.
Result<int64_t> ParseGoDuration(std::string_view text);

// Go's Duration.String() for whole seconds or more ("20m0s", "1h0m5s", "12s").
std::string FormatGoDuration(int64_t nanos);

}  // namespace cloud::cli
