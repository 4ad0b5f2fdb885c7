// GPU-side timeline of kernels and shards, and its export as Chrome trace
// JSON (chrome://tracing, Perfetto): one "X" event per span, pid = device,
// tid = stream.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "miriam/task.h"

namespace miriam {

struct TraceSpan {
  std::string name;          // kernel label
  std::string task;          // task name
  TaskId task_id = 0;
  RequestId request = 0;
  int stream = 0;            // coordinator's stream index
  bool critical = false;
  bool shard = false;        // a slice of the kernel's grid
  unsigned shrink_factor = 0; // a shard of the shrunk variant: blocks of B/f threads
  bool persistent = false;   // a persistent launch of logical blocks [first_block, first_block + blocks)
  std::uint64_t physical_blocks = 0;  // persistent: P
  std::uint64_t blocks_done = 0;      // persistent: logical blocks it ran before it ended or stopped
  double stop_us = -1;                // persistent: GPU time its stop word landed; -1: never asked to stop
  std::uint64_t first_block = 0, blocks = 0;
  double begin_us = 0, end_us = 0;  // GPU time since the coordinator's start event
  // Host clock, from the moment the start event completed (so within a few
  // microseconds of GPU time): the submit() call of its launch, and the
  // return of the launch calls that put it on its stream. Submitted late: the
  // application was late; issued late: it waited in the coordinator (lock,
  // hold); began late after issue: it waited on the GPU.
  double submitted_us = 0, locked_us = 0, issued_us = 0;  // locked: submit() got the coordinator's lock
};

// Summary counters of one coordinator.
struct CoordinatorStats {
  std::uint64_t launches_submitted = 0;
  std::uint64_t kernels_issued = 0;  // whole launches
  std::uint64_t shards_issued = 0;
  std::uint64_t shards_shrunk = 0;   // of shards_issued: shrunk variant (blocks of B/f threads beside critical kernels)
  std::uint64_t holds = 0;           // decisions to hold a launch
  std::uint64_t requests_completed = 0;
  std::uint64_t requests_failed = 0;
  std::uint64_t deadline_misses = 0;
  std::uint64_t launch_errors = 0;
  std::uint64_t persistent_launches = 0;   // first launches and resumes
  // Of them: one static logical block per physical block, run by the sliced
  // variant, or by the original kernel when the launch covers its whole grid.
  std::uint64_t persistent_loop_free = 0;
  std::uint64_t persistent_original = 0;  // of persistent_loop_free: run by the original kernel
  std::uint64_t trace_spans_dropped = 0;  // oldest trace spans gone past CoordinatorConfig::max_trace_spans
  std::uint64_t preemptions_requested = 0; // stop requests sent to persistent launches
  std::uint64_t preemptions = 0;           // persistent launches that ended with logical blocks left
  std::uint64_t resumes = 0;               // launches that continued a preempted kernel
  std::uint64_t regrows = 0;
  std::uint64_t stops_ahead = 0;           // stops of persistent launches before a predicted periodic critical request
  std::uint64_t holds_long_blocks = 0;     // holds: blocks would outlast the critical budget beside a critical request
  std::uint64_t holds_critical_due = 0;    // holds: a periodic critical request is due
  // With tracing: stop word landed -> persistent launch ended, over the
  // launches stopped with blocks left (the preemption latency on the GPU).
  double drain_us_total = 0;
  double drain_us_max = 0;               // stops of launches sized beside critical work, to relaunch them larger
  std::uint64_t stop_request_errors = 0;   // stop requests that failed (the kernel then just runs on)
  double submit_cpu_us_total = 0;    // CPU time spent inside submit()
};

std::string chrome_trace_json(const std::vector<TraceSpan>& spans, int device, const std::string& process_name,
                              const CoordinatorStats* stats = nullptr);
// Returns false (and leaves errno) when the file cannot be written.
bool write_chrome_trace(const std::string& path, const std::vector<TraceSpan>& spans, int device,
                        const std::string& process_name, const CoordinatorStats* stats = nullptr);

}  // namespace miriam
