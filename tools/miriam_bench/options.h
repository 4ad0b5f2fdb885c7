// miriam_bench's command line.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "miriam/policy.h"
#include "workload.h"

namespace miriam::bench {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class VerifyMode { kEvery, kLast };  // compare each request's output, or only the last one

struct Options {
  std::vector<std::string> workloads;  // a file, or the name of a bundled workload
  WorkloadOverrides overrides;
  std::vector<PolicyKind> policies = {PolicyKind::kSequential, PolicyKind::kMultistream, PolicyKind::kPriority,
                                      PolicyKind::kIb, PolicyKind::kMiriam};
  std::uint64_t seed = 1;
  std::string out_dir;    // JSON and CSV; empty: not written
  std::string trace_dir;  // Chrome traces per policy; empty: not written
  int sms = 0;            // 0: the whole GPU; else a green context of that many SMs
  bool short_mode = false;
  // A policy run still going after this long stops releasing requests (solo
  // runs are never cut): the slow baselines (sequential at 8 SMs: 75 s of a
  // 166 s workload on an H200) then cost bounded device time. Its rows say so.
  std::optional<double> max_run_s;
  VerifyMode verify = VerifyMode::kEvery;
  bool order_critical_tasks = true;  // --critical-order (CoordinatorConfig::order_critical_tasks)
  bool block_time_per_launch = true;  // --block-time (CoordinatorConfig::block_time_per_launch)
  std::string commit;        // empty: the commit the binary was built from
  std::string manifest_dir;  // empty: next to the executable
  std::string profile;       // shard timing profile for the miriam policy (optional)
  PolicyOptions policy_options;  // the miriam policy's shard planning knobs
  // Soak (issue 8): only the miriam policy, random arrivals for this long,
  // judged window by window (see soak.h). Unset: the ordinary benchmark.
  std::optional<double> soak_seconds;
  double soak_window_seconds = 30;
  double soak_watchdog_seconds = 10;  // no request finished for this long: deadlock suspected
  bool list = false, help = false;
};

std::string usage();

// Throws UsageError naming the offending option.
Options parse_options(const std::vector<std::string>& args);

// --short: fewer requests and a shorter duration, unless given explicitly.
void apply_short_mode(Options& options);

}  // namespace miriam::bench
