// Clock: the injectable source of time. Times are Unix milliseconds, as upstream stores them.
#pragma once

#include <atomic>
#include <cstdint>

namespace cloud {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch.
  virtual int64_t NowMillis() const = 0;
  // Nanoseconds since the Unix epoch (legacy webhook payloads carry nanoseconds).
  virtual int64_t NowNanos() const { return NowMillis() * 1'000'000; }
};

// The wall clock.
class SystemClock final : public Clock {
 public:
  int64_t NowMillis() const override;
  int64_t NowNanos() const override;
  // A process-wide instance, for composition roots and defaults.
  static const Clock& Instance();
};

// A clock that only moves when told to; for deterministic tests. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_millis = 1'700'000'000'000) : now_(start_millis) {}
  int64_t NowMillis() const override { return now_.load(); }
  void Set(int64_t millis) { now_.store(millis); }
  void Advance(int64_t millis) { now_.fetch_add(millis); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace cloud
