#include "launch_ledger.h"

#include <chrono>

namespace miriam::detail {

void LaunchLedger::begin() {
  std::lock_guard<std::mutex> lock(mu_);
  ++pending_;
}

void LaunchLedger::end(const Error* failure) {
  std::lock_guard<std::mutex> lock(mu_);
  if (pending_ > 0) --pending_;
  if (failure && !error_) {
    error_ = *failure;
    has_error_.store(true, std::memory_order_release);
  }
  if (pending_ == 0) idle_.notify_all();
}

std::optional<LaunchLedger::Error> LaunchLedger::take() {
  std::lock_guard<std::mutex> lock(mu_);
  std::optional<Error> e = std::move(error_);
  error_.reset();
  has_error_.store(false, std::memory_order_release);
  return e;
}

bool LaunchLedger::wait_idle(int timeout_ms) {
  std::unique_lock<std::mutex> lock(mu_);
  auto idle = [&] { return pending_ == 0; };
  if (timeout_ms < 0) {
    idle_.wait(lock, idle);
    return true;
  }
  return idle_.wait_for(lock, std::chrono::milliseconds(timeout_ms), idle);
}

std::size_t LaunchLedger::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pending_;
}

}  // namespace miriam::detail
