// Waiting for a request's release time, shared by the benchmark and the soak.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

namespace miriam::bench {

using Clock = std::chrono::steady_clock;
using Micros = std::chrono::duration<double, std::micro>;

// Sleeps until `t` (coarse sleep, then a short spin for precision). Returns
// false when `stop` was raised first.
inline bool wait_until(Clock::time_point t, const std::atomic<bool>* stop) {
  constexpr auto spin = std::chrono::microseconds(150);
  for (;;) {
    if (stop && stop->load()) return false;
    const auto now = Clock::now();
    if (now >= t) return true;
    if (t - now > spin) std::this_thread::sleep_for(std::min<Clock::duration>(t - now - spin, std::chrono::milliseconds(1)));
  }
}

}  // namespace miriam::bench
