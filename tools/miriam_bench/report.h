// What one benchmark invocation measured, and its three forms: the printed
// table (rows = policies), CSV (one row per policy and task) and JSON.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "miriam/trace.h"
#include "run_header.h"
#include "stats.h"
#include "workload.h"

namespace miriam::bench {

inline constexpr std::size_t kMinMeasuredRequests = 300;  // per critical task, after warm-up
// Solo p99 / p50 above which a periodic critical task's solo run is flagged as noisy.
inline constexpr double kNoisySoloP99 = 1.5;

// One task in one run (solo or under a policy).
struct TaskResult {
  std::string task;
  std::string model;
  int batch = 1;
  Criticality criticality = Criticality::kNormal;
  std::string arrival;          // e.g. "periodic 4000us"
  std::uint64_t completed = 0;  // requests completed, warm-up included
  std::uint64_t in_window = 0;  // requests completed inside the throughput window
  std::uint64_t failures = 0;   // requests that reported an error
  std::uint64_t mismatches = 0; // outputs not bitwise equal to the solo output
  std::uint64_t deadline_misses = 0;  // after warm-up
  std::vector<double> latencies_ms;   // release -> completion, after warm-up
  LatencySummary latency_ms;
  // From the request's actual issue (later than its release when an earlier
  // request ran late) to completion: separates queueing from service time.
  LatencySummary issue_latency_ms;
  double gpu_span_p50_ms = 0;   // first kernel start -> last kernel end on the GPU, median
  LatencySummary start_lag_ms;  // begin_request -> first kernel start
  LatencySummary end_lag_ms;    // last kernel end -> completion observed
  double throughput = 0;        // inferences (requests x batch) per second in the window
};

struct PolicyRun {
  std::string policy;  // "solo" for the solo runs
  double window_s = 0;
  std::optional<double> cut_at_s;  // stopped by --max-run-s before its counted requests were done
  std::vector<TaskResult> tasks;
  CoordinatorStats stats;
};

// Ratios of one policy row, derived from the runs (see derive()).
struct PolicyRow {
  std::string policy;
  struct Critical {
    std::string task;
    LatencySummary latency_ms;
    double p50_x_solo = 0, p99_x_solo = 0, max_x_solo = 0;
    std::uint64_t deadline_misses = 0;
  };
  std::vector<Critical> critical;
  double normal_throughput = 0;          // inferences/s, summed over normal tasks
  double normal_x_solo = 0;              // mean over normal tasks of throughput / solo throughput
  double normal_x_multistream = 0;       // same against the multistream run
  double system_throughput = 0;          // all inferences/s
  double system_x_sequential = 0;
  std::uint64_t mismatches = 0, failures = 0;
};

struct BenchReport : RunHeader {
  bool short_mode = false;
  std::string verify_mode;
  std::vector<TaskSpec> tasks;
  std::vector<double> solo_latency_us;  // calibration, per task (resolves *_x_solo)
  std::vector<TaskResult> solo;         // per task, in workload order
  std::vector<PolicyRun> runs;          // per policy, in the order run
};

std::vector<PolicyRow> derive(const BenchReport& report);

// The issue's targets for the miriam row (benchmark-protocol.md), one line each.
struct TargetCheck {
  std::string what;
  double value = 0, target = 0;
  bool at_most = true;  // value must be <= target (else >=)
  bool met = false;
  bool unreliable = false;  // a ratio to a noisy solo run (noisy_solo): neither met nor missed
};

// Whether a periodic critical task's solo run had outliers (p99 above
// kNoisySoloP99 x p50): ratios to its solo p99 are then unreliable.
bool noisy_solo(const TaskResult& solo);
std::vector<TargetCheck> check_targets(const BenchReport& report, const std::vector<PolicyRow>& rows);

std::string format_table(const BenchReport& report, const std::vector<PolicyRow>& rows);
std::string to_csv(const BenchReport& report, const std::vector<PolicyRow>& rows);
std::string to_json(const BenchReport& report, const std::vector<PolicyRow>& rows);

std::uint64_t total_mismatches(const BenchReport& report);
std::uint64_t total_failures(const BenchReport& report);

}  // namespace miriam::bench
