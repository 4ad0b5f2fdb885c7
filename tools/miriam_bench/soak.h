// The soak run (issue 8): one workload under the miriam policy on one
// Coordinator for a long time, requests released on each task's arrival
// pattern, every output compared bit for bit with the task's solo output.
// Every window records the critical latencies, requests finished, mismatches
// and failures, the coordinator's counters (preemptions), device memory in
// use and host RSS; the verdict (soak_verdict.h) judges them at the end.
// A watchdog ends the process when no request finishes for a while.
#pragma once

#include <string>

#include "bench.h"

namespace miriam::bench {

inline constexpr int kSoakExitFailed = 1;    // a criterion failed
inline constexpr int kSoakExitDeadlock = 3;  // the watchdog fired (the process ends from the watchdog)

// Writes soak_<workload>_<full|smsN>.json and .md into options.out_dir (no
// second "soak_" for workloads named soak_*)
// (rewritten after every window, each by a temporary file and a rename).
// Returns 0 when every criterion is met, kSoakExitFailed otherwise. Throws
// std::runtime_error when the tasks or the coordinator cannot be set up.
int run_soak(const Workload& workload, const Options& options, const RunEnvironment& environment,
             const DeviceInfo& device, const std::string& commit, const std::string& date);

}  // namespace miriam::bench
