// From per-request timings to a task's reported numbers: warm-up left out of
// latency statistics, deadline misses, and throughput over a common window.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "report.h"

namespace miriam::bench {

struct RequestTiming {
  double done_s = 0;            // completion, seconds since the run's start
  double latency_ms = 0;        // scheduled release -> completion
  double issue_latency_ms = 0;  // actual issue -> completion
  double gpu_span_ms = 0;       // first kernel start -> last kernel end
  // Where issue -> completion goes beyond the GPU span (coordinator clocks,
  // with tracing): begin_request -> first kernel start, and last kernel end ->
  // completion observed by the coordinator.
  double start_lag_ms = 0;
  double end_lag_ms = 0;
};

// What one task's application thread saw in one run.
struct TaskRequests {
  std::vector<RequestTiming> requests;  // completed without error, in order
  std::uint64_t failures = 0, mismatches = 0;
};

struct Window {
  double begin_s = 0, end_s = 0;
  double length_s() const { return end_s - begin_s; }
};

// Throughput is counted from when every task has completed its first request
// (all are warm and running) to the stop; the whole run when that leaves nothing.
Window throughput_window(const std::vector<TaskRequests>& tasks, double stop_s);

// Fills the measured fields of `out`: completed, in_window, failures,
// mismatches, latencies after `warmup` requests, deadline misses, throughput
// (requests completed in the window x batch per second).
void summarize_requests(const TaskRequests& log, int batch, int warmup, std::optional<double> deadline_us,
                        const Window& window, TaskResult* out);

}  // namespace miriam::bench
