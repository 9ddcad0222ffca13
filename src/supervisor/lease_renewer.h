// LeaseRenewer: keeps the leases of long-running supervisor steps alive (a kops create can run
// for 20+ minutes inside one step, far beyond the lease duration; ARCHITECTURE.md decision 3).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "common/clock.h"
#include "common/logging.h"
#include "store/lock_store.h"

namespace cloud::supervisor {

// One background thread renews every tracked lease whose last renewal (by the injected Clock)
// is older than the renewal interval. A lease that could not be renewed because it was lost is
// marked lost; the step's fenced writes fail anyway, the mark only lets it stop early.
//
// Lifecycle: built in app/ (or a test) with the LockStore it renews through; Start() launches
// the thread, Stop()/destructor joins it. Without Start(), RenewDueForTest() renews on demand.
// Threading: all methods are thread-safe.
class LeaseRenewer {
 public:
  // `interval_ms` 0: a third of the lock store's lease duration.
  LeaseRenewer(store::LockStore& locks, const Clock& clock, Logger log, int64_t interval_ms = 0);
  ~LeaseRenewer();
  LeaseRenewer(const LeaseRenewer&) = delete;
  LeaseRenewer& operator=(const LeaseRenewer&) = delete;

  void Start();
  void Stop();

  // Tracks a lease while the Ticket lives (RAII, move-only).
  class Ticket {
   public:
    Ticket() = default;
    Ticket(Ticket&& other) noexcept;
    Ticket& operator=(Ticket&& other) noexcept;
    ~Ticket();
    // True once a renewal found the lease lost.
    bool lost() const;

   private:
    friend class LeaseRenewer;
    Ticket(LeaseRenewer* owner, uint64_t key) : owner_(owner), key_(key) {}
    LeaseRenewer* owner_ = nullptr;
    uint64_t key_ = 0;
  };
  [[nodiscard]] Ticket Track(const store::Lease& lease);

  // Renews now every tracked lease that is due. Returns how many were renewed.
  int RenewDueForTest();
  int64_t interval_ms() const { return interval_ms_; }

 private:
  struct Entry {
    store::Lease lease;
    bool lost = false;
    bool renewing = false;
  };
  int RenewDue();
  void Loop();
  void Untrack(uint64_t key);
  bool Lost(uint64_t key) const;

  store::LockStore& locks_;
  const Clock& clock_;
  Logger log_;
  int64_t interval_ms_;

  mutable std::mutex mu_;
  std::condition_variable cv_;  // stop, and Untrack waiting for an in-flight renewal
  std::map<uint64_t, Entry> entries_;
  uint64_t next_key_ = 1;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace cloud::supervisor
