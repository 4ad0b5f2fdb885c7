// One thread's rewritten launches that went to the coordinator and have not
// finished there, and the first error one of them met after launch_kernel
// had returned (the deferred error of miriam/launch.h). Shared by the
// launching thread and the coordinator's completion callbacks (any thread);
// plain C++, tested on the CPU.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>

namespace miriam::detail {

class LaunchLedger {
 public:
  struct Error {
    int code = 0;  // a cudaError_t
    std::string message;
  };

  // A launch is handed to the coordinator.
  void begin();
  // It finished there; `failure` null: it ran, or it was never accepted (then
  // the caller launched it directly and already knows). The first failure is
  // kept until taken.
  void end(const Error* failure);

  bool has_error() const { return has_error_.load(std::memory_order_acquire); }
  // The kept failure, cleared; nullopt if none.
  std::optional<Error> take();
  // Blocks until no launch is pending; timeout_ms < 0: forever. False on timeout.
  bool wait_idle(int timeout_ms);
  std::size_t pending() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable idle_;
  std::size_t pending_ = 0;
  std::optional<Error> error_;
  std::atomic<bool> has_error_{false};
};

}  // namespace miriam::detail
