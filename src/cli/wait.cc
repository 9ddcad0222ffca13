// WaitForState and Go duration helpers.
#include "cli/wait.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

namespace cloud::cli {
namespace {

bool Contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

std::string Elapsed(int64_t millis) { return FormatGoDuration((millis / 1000) * 1'000'000'000); }

std::string JoinStates(const std::vector<std::string>& states) {
  std::string out;
  for (const std::string& s : states) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

}  // namespace

Result<std::string> WaitForState(const WaitSpec& spec, const StateGetter& get_state,
                                 const WaitIo& io) {
  const Clock& clock = io.clock != nullptr ? *io.clock : SystemClock::Instance();
  auto sleep = [&](int64_t millis) {
    if (io.sleep) {
      io.sleep(millis);
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(millis));
    }
  };
  const std::string name = spec.resource + " " + spec.id;
  const int64_t start = clock.NowMillis();
  std::optional<std::string> last_shown;
  bool drew_line = false;

  auto show = [&](const std::string& state, int64_t elapsed) {
    if (io.progress == nullptr) return;
    const std::string text = name + ": " + state + " (elapsed " + Elapsed(elapsed) + ")";
    if (io.terminal) {
      *io.progress << '\r' << text << "\033[K" << std::flush;
      drew_line = true;
    } else if (last_shown != state) {
      *io.progress << text << '\n' << std::flush;
    }
    last_shown = state;
  };
  auto finish_line = [&] {
    if (drew_line && io.progress != nullptr) *io.progress << '\n' << std::flush;
  };

  // Quick steps end in well under a second on a fast backend: poll soon, then back off
  // (doubling) to poll_interval_ms so that long waits do not hammer the server.
  int64_t interval = std::min(spec.first_poll_interval_ms, spec.poll_interval_ms);
  while (true) {
    Result<std::optional<std::string>> state = get_state();
    const int64_t elapsed = clock.NowMillis() - start;
    if (!state) {
      finish_line();
      return std::move(state).error().WithContext("failed to get " + name);
    }
    if (!state->has_value()) {
      show("not found", elapsed);
      finish_line();
      if (spec.not_found_is_target) return std::string();
      return NotFound(name + " not found");
    }
    const std::string& current = **state;
    show(current, elapsed);
    if (Contains(spec.target_states, current)) {
      finish_line();
      return current;
    }
    if (Contains(spec.failed_states, current)) {
      finish_line();
      return FailedPrecondition(name + " reached failed state " + current);
    }
    if (elapsed >= spec.timeout_ms) {
      finish_line();
      return Unavailable("timed out after " + Elapsed(spec.timeout_ms) + " waiting for " + name +
                         " to reach " + JoinStates(spec.target_states) +
                         " (last state: " + current + ")");
    }
    const int64_t remaining = spec.timeout_ms - elapsed;
    sleep(std::max<int64_t>(1, std::min(interval, remaining)));
    interval = std::min(interval * 2, spec.poll_interval_ms);
  }
}

Result<int64_t> ParseGoDuration(std::string_view text) {
  const std::string original(text);
  auto invalid = [&] { return InvalidArgument("time: invalid duration \"" + original + "\""); };
  bool negative = false;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text == "0") return int64_t{0};
  if (text.empty()) return invalid();
  long double total = 0;
  while (!text.empty()) {
    size_t i = 0;
    long double value = 0;
    bool digits = false;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      value = value * 10 + (text[i] - '0');
      ++i;
      digits = true;
    }
    if (i < text.size() && text[i] == '.') {
      ++i;
      long double scale = 0.1L;
      while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
        value += (text[i] - '0') * scale;
        scale /= 10;
        ++i;
        digits = true;
      }
    }
    if (!digits) return invalid();
    size_t unit_end = i;
    while (unit_end < text.size() && !(text[unit_end] >= '0' && text[unit_end] <= '9') &&
           text[unit_end] != '.') {
      ++unit_end;
    }
    std::string_view unit = text.substr(i, unit_end - i);
    long double scale = 0;
    if (unit == "ns")
      scale = 1;
    else if (unit == "us" || unit == "\u00b5s" || unit == "\u03bcs")
      scale = 1e3L;
    else if (unit == "ms")
      scale = 1e6L;
    else if (unit == "s")
      scale = 1e9L;
    else if (unit == "m")
      scale = 60e9L;
    else if (unit == "h")
      scale = 3600e9L;
    else
      return invalid();
    total += value * scale;
    text.remove_prefix(unit_end);
  }
  if (total > 9.2e18L) return invalid();
  const int64_t nanos = static_cast<int64_t>(std::llround(total));
  return negative ? -nanos : nanos;
}

std::string FormatGoDuration(int64_t nanos) {
  if (nanos == 0) return "0s";
  std::string sign = nanos < 0 ? "-" : "";
  uint64_t n = nanos < 0 ? static_cast<uint64_t>(-(nanos + 1)) + 1 : static_cast<uint64_t>(nanos);
  if (n < 1'000'000'000) {
    // Sub-second: Go prints ns, µs or ms with a fraction; the CLI only shows whole units.
    if (n < 1000) return sign + std::to_string(n) + "ns";
    if (n < 1'000'000) return sign + std::to_string(n / 1000) + "\u00b5s";
    return sign + std::to_string(n / 1'000'000) + "ms";
  }
  const uint64_t hours = n / 3'600'000'000'000ULL;
  n %= 3'600'000'000'000ULL;
  const uint64_t minutes = n / 60'000'000'000ULL;
  n %= 60'000'000'000ULL;
  const uint64_t seconds = n / 1'000'000'000ULL;
  uint64_t fraction = n % 1'000'000'000ULL;
  std::string secs = std::to_string(seconds);
  if (fraction != 0) {
    std::string digits = std::to_string(fraction);
    digits.insert(0, 9 - digits.size(), '0');
    while (!digits.empty() && digits.back() == '0') digits.pop_back();
    secs += "." + digits;
  }
  std::string out = sign;
  if (hours > 0) out += std::to_string(hours) + "h";
  if (hours > 0 || minutes > 0) out += std::to_string(minutes) + "m";
  out += secs + "s";
  return out;
}

}  // namespace cloud::cli
