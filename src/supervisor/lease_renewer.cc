// LeaseRenewer: periodic Renew of tracked leases.
#include "supervisor/lease_renewer.h"

#include <algorithm>
#include <chrono>
#include <vector>

namespace cloud::supervisor {

LeaseRenewer::LeaseRenewer(store::LockStore& locks, const Clock& clock, Logger log,
                           int64_t interval_ms)
    : locks_(locks),
      clock_(clock),
      log_(log.With(logkey::kComponent, "lease-renewer")),
      interval_ms_(interval_ms > 0 ? interval_ms
                                   : std::max<int64_t>(1, locks.lease_duration_ms() / 3)) {}

LeaseRenewer::~LeaseRenewer() { Stop(); }

void LeaseRenewer::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { Loop(); });
}

void LeaseRenewer::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

LeaseRenewer::Ticket LeaseRenewer::Track(const store::Lease& lease) {
  std::lock_guard lock(mu_);
  const uint64_t key = next_key_++;
  entries_[key] = Entry{lease, false, false};
  return Ticket(this, key);
}

void LeaseRenewer::Untrack(uint64_t key) {
  std::unique_lock lock(mu_);
  // Do not return while a renewal of this lease runs: the caller is about to release it.
  cv_.wait(lock, [&] {
    auto it = entries_.find(key);
    return it == entries_.end() || !it->second.renewing;
  });
  entries_.erase(key);
}

bool LeaseRenewer::Lost(uint64_t key) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  return it != entries_.end() && it->second.lost;
}

int LeaseRenewer::RenewDue() {
  std::vector<std::pair<uint64_t, store::Lease>> due;
  {
    std::lock_guard lock(mu_);
    const int64_t now = clock_.NowMillis();
    for (auto& [key, entry] : entries_) {
      if (entry.lost || now - entry.lease.renewed_at < interval_ms_) continue;
      entry.renewing = true;
      due.emplace_back(key, entry.lease);
    }
  }
  int renewed = 0;
  for (auto& [key, lease] : due) {
    Result<void> r = locks_.Renew(lease);
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end()) continue;
    it->second.renewing = false;
    if (r) {
      it->second.lease = lease;
      ++renewed;
    } else if (r.error().code == ErrorCode::kConflict) {
      it->second.lost = true;
      log_.Warn("lease lost while a step was running", r.error());
    } else {
      log_.Warn("failed to renew lease; will retry", r.error());
    }
  }
  cv_.notify_all();
  return renewed;
}

int LeaseRenewer::RenewDueForTest() { return RenewDue(); }

void LeaseRenewer::Loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    cv_.wait_for(lock, std::chrono::milliseconds(std::min<int64_t>(interval_ms_, 1'000)),
                 [this] { return stopping_; });
    if (stopping_) return;
    lock.unlock();
    RenewDue();
    lock.lock();
  }
}

LeaseRenewer::Ticket::Ticket(Ticket&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)), key_(other.key_) {}

LeaseRenewer::Ticket& LeaseRenewer::Ticket::operator=(Ticket&& other) noexcept {
  if (this != &other) {
    if (owner_ != nullptr) owner_->Untrack(key_);
    owner_ = std::exchange(other.owner_, nullptr);
    key_ = other.key_;
  }
  return *this;
}

LeaseRenewer::Ticket::~Ticket() {
  if (owner_ != nullptr) owner_->Untrack(key_);
}

bool LeaseRenewer::Ticket::lost() const { return owner_ != nullptr && owner_->Lost(key_); }

}  // namespace cloud::supervisor
