// The soak run's windows and its verdict (issue 8): every output equal to
// the solo output, no failed request, no deadlock, device and host memory
// flat, critical p99 stable over time, preemption exercised throughout.
// Plain C++: the driver (soak.cpp) fills the windows, this file judges them,
// CPU-tested in tests/bench/soak_verdict_test.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "miriam/task.h"
#include "stats.h"

namespace miriam::bench {

// One task in one window.
struct SoakTaskWindow {
  std::string task;
  Criticality criticality = Criticality::kNormal;
  std::uint64_t finished = 0;    // requests completed without error in the window
  std::uint64_t failures = 0;    // requests that reported an error
  std::uint64_t mismatches = 0;  // outputs not bitwise equal to the solo output
  LatencySummary latency_ms;     // release -> completion, over the window's requests
};

// Coordinator counters accumulated inside one window (differences of CoordinatorStats).
struct SoakCounters {
  std::uint64_t requests_completed = 0, requests_failed = 0, launch_errors = 0;
  std::uint64_t kernels_issued = 0, shards_issued = 0, holds = 0;
  std::uint64_t persistent_launches = 0, preemptions_requested = 0, preemptions = 0, resumes = 0, regrows = 0;
  std::uint64_t stops_ahead = 0, holds_long_blocks = 0, holds_critical_due = 0;
  std::uint64_t stop_request_errors = 0;
};

struct SoakWindow {
  int index = 0;
  double begin_s = 0, end_s = 0;  // since the soak started
  std::vector<SoakTaskWindow> tasks;
  SoakCounters counters;
  std::optional<std::uint64_t> device_used_bytes;  // cudaMemGetInfo total - free, at the window's end
  std::optional<std::uint64_t> host_rss_bytes;     // VmRSS at the window's end
};

struct SoakCriteria {
  int warmup_windows = 1;  // left out of the flatness and p99 criteria (allocations settle)
  std::uint64_t max_device_growth_bytes = 1ull << 20;  // last measured window vs the first
  std::uint64_t max_host_growth_bytes = 8ull << 20;    // last measured window vs the first
  double max_p99_over_median = 1.5;  // no window's p99 above this x the median window p99
  double max_p99_drift = 1.25;       // median window p99, second half / first half
  std::size_t min_p99_samples = 100; // a window's p99 is judged only from this many requests
};

struct CriterionResult {
  std::string name;
  bool passed = false;
  std::string detail;  // the numbers behind it
};

struct SoakVerdict {
  std::vector<CriterionResult> criteria;
  bool passed() const;
};

// `watchdog_message`: non-empty when the run stopped because no request
// finished in time (the deadlock criterion then fails with it).
SoakVerdict judge_soak(const std::vector<SoakWindow>& windows, const SoakCriteria& criteria,
                       const std::string& watchdog_message = "");

// Least-squares slope of `values` against `times_s`, per minute (0 for < 2 points).
double slope_per_minute(const std::vector<double>& times_s, const std::vector<double>& values);

}  // namespace miriam::bench
