// Scheduling policies behind one interface, so one process can compare them
// side by side. A policy only decides; the coordinator carries decisions out.
// Everything here is plain C++ and unit-tested on the CPU.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "miriam/gpu_model.h"
#include "miriam/persistent_planner.h"
#include "miriam/shard_planner.h"
#include "miriam/task.h"

namespace miriam {

enum class PolicyKind {
  kSequential,   // one stream, FIFO
  kMultistream,  // a stream per task, equal priority
  kPriority,     // critical tasks on the highest-priority stream
  kIb,           // inter-stream barrier: normal work held while a critical request is in flight
  kMiriam,       // elastic shards sized to the room critical kernels leave
};

const char* to_string(PolicyKind kind);
std::optional<PolicyKind> policy_kind_from_string(const std::string& name);  // "sequential", ..., "ib", "miriam"

enum class StreamPriority { kDefault, kHighest, kLowest };

// Which stream a task's launches go to.
struct StreamAssignment {
  bool shared = false;  // true: the one stream all tasks share (FIFO across tasks)
  StreamPriority priority = StreamPriority::kDefault;
};

// The CUDA priority of a task's stream (numerically lower runs first; the
// device's range is [highest, lowest], e.g. [-5, 0]). kHighest streams are
// ranked by the task's TaskDesc::priority among `critical_priorities` (those
// of every task with a kHighest stream, this one's included): higher first,
// ties share a level, from `highest` down. They never reach `lowest`, which
// kLowest streams keep, so critical blocks always dispatch before normal ones;
// ranks past the levels left share the last one. With `order_critical` false
// every kHighest stream gets `highest`.
int cuda_stream_priority(StreamPriority priority, int task_priority, const std::vector<int>& critical_priorities,
                         int lowest, int highest, bool order_critical);

enum class LaunchAction {
  kIssueWhole,  // launch the original kernel, whole grid
  kIssueShard,  // launch `shard.blocks` logical blocks through the sliced variant (or, with
                // shard.shrink_factor > 0, the shrunk variant at that factor)
  kIssuePersistent,  // launch the remaining logical blocks on `persistent.physical_blocks`
                     // blocks of the persistent variant (stoppable, resumable)
  kHold,        // keep it queued; decide again when GPU state changes
};

const char* to_string(LaunchAction action);

enum class HoldReason {
  kNone,
  kCriticalInFlight,
  kOwnShardInFlight,
  kNoRoom,
  kLongBlocks,   // a critical request is in flight and one block would outlast the critical budget
  kCriticalDue,  // a periodic critical request is due before one block would end
};

const char* to_string(HoldReason reason);

struct LaunchDecision {
  LaunchAction action = LaunchAction::kIssueWhole;
  HoldReason hold = HoldReason::kNone;
  ShardDecision shard;  // for kIssueShard (and the planner's view when holding)
  PersistentSizing persistent;  // for kIssuePersistent
};

// What the coordinator knows when a task's next launch is due.
struct LaunchContext {
  Criticality criticality = Criticality::kNormal;
  KernelFootprint footprint;                       // of the original kernel
  std::optional<KernelFootprint> sliced_footprint; // set when a sliced variant is bound
  const ShardTiming* sliced_timing = nullptr;      // profile of the sliced variant, if any
  std::optional<KernelFootprint> persistent_footprint;  // set when a persistent variant is bound
  const ShardTiming* persistent_timing = nullptr;  // profile of the persistent variant, if any
  ShrunkOptions shrunk;                            // factors of a bound shrunk variant this launch's block allows
  std::uint64_t blocks_remaining = 0;              // logical blocks of this launch not yet issued
  bool critical_in_flight = false;                 // a critical request submitted and not finished
  std::vector<KernelLoad> critical_running;        // critical kernels issued and not finished
  std::vector<KernelLoad> normal_running;          // other normal kernels/shards issued and not finished
  int own_shards_in_flight = 0;                    // shards of this task issued and not finished
  double held_us = 0;                              // how long this launch has waited since it last went out,
                                                   // counted while critical requests run back to back
  double held_total_us = 0;                        // the same, counted all the time
  std::optional<double> observed_block_us;         // µs one block of this launch held its slot, measured on
                                                   // its earlier shards (BlockTimeEstimate); nullopt: unknown
  std::optional<double> us_until_critical_due;     // until the earliest predicted periodic critical release,
                                                   // less its jitter (ArrivalPredictor); nullopt: none predicted
};

struct PolicyOptions {
  ShardPlannerConfig planner;
  // Shards of one normal task in flight at once: 1 while critical work runs
  // (re-plan against fresh state), more when idle so the GPU never drains between shards.
  int shards_in_flight_critical = 1;
  int shards_in_flight_idle = 2;
  // Run normal kernels that have a persistent variant as persistent launches
  // (preempted when a critical request needs their SMs).
  bool use_persistent = true;
  PersistentPlannerConfig persistent;
  // While critical kernels run and leave room for no full normal block, send
  // a shard of the kernel's shrunk variant (blocks of B/f threads) when one
  // fits (ShardPlanner::plan_shrunk). Never with no critical kernel running:
  // full blocks are faster.
  bool use_shrunk = true;
  // Liveness bound for miriam: a normal launch held this long for want of
  // room (or behind a critical request, when it cannot be cut) goes out
  // anyway, as one block per SM (or whole). Without it a critical task that
  // is almost always in flight starves normal work completely (measured:
  // cifarnet+alexnet at 8 SMs). Counted only while critical requests follow
  // each other without a gap (the coordinator's view), so one long critical
  // request does not trigger it. 0: no bound.
  double normal_max_hold_us = 10000;
  // The absolute bound: a normal launch held this long in all goes out the
  // same way, even when critical requests leave gaps (a periodic critical
  // task whose gaps are shorter than one normal block would otherwise hold it
  // forever). 0: no bound.
  double normal_max_wait_us = 100000;
  // While a critical request is in flight, hold sliced normal launches whose
  // blocks (measured, or by the profile) run longer than the critical budget:
  // a shard cannot be stopped, and every critical kernel behind it waits for
  // its blocks (measured: VGG-16 blocks of ~400 µs beside MobileNet kernels of 17 µs).
  bool hold_long_blocks = true;
  // The same for persistent launches beside critical work (on the SMs it
  // leaves idle): they can be stopped, but the next critical kernel that
  // needs their SMs waits for the drain of one long block. Always with this
  // option; without it, while a periodic critical task is predicted (with
  // drain_ahead). Measured on an H200 (results/2026-11-28-h200-critical-timing):
  // better for periodic critical tasks, worse for Poisson ones.
  bool hold_long_persistent = false;
  // Before a periodic critical request is due, stop persistent normal work and
  // hold new normal launches whose blocks would still run when it arrives
  // (measurements.md #4: start the drain before the critical launch).
  bool drain_ahead = true;
  double drain_margin_us = 50;  // slack for the stop word, launch latency and host timer error
};

// What the coordinator knows when a critical kernel (or request) arrives
// while persistent normal launches run.
struct PreemptionContext {
  std::optional<KernelLoad> arriving;       // the critical kernel; nullopt: a request whose kernels are unknown
  std::vector<KernelLoad> critical_running; // critical kernels already on the GPU
  std::vector<PersistentRun> persistent_running;
};

class Policy {
 public:
  virtual ~Policy() = default;
  virtual PolicyKind kind() const = 0;
  const char* name() const { return to_string(kind()); }

  virtual StreamAssignment stream_for(const TaskDesc& task) const = 0;
  virtual LaunchDecision decide(const LaunchContext& context) const = 0;
  // Whether a critical launch should record GPU state for planning (only miriam plans).
  virtual bool plans_shards() const { return false; }
  // Which persistent runs to stop (indices into context.persistent_running,
  // appended to `stop`). Only policies that issue persistent launches stop them.
  virtual void choose_preemptions(const PreemptionContext& context, std::vector<std::size_t>* stop) const {
    (void)context, (void)stop;
  }
  // Whether a persistent run should be stopped to be relaunched larger (the
  // critical work it was sized beside has ended).
  virtual bool should_regrow(const PersistentRun& run, bool critical_in_flight) const {
    (void)run, (void)critical_in_flight;
    return false;
  }
  // Whether a persistent run whose blocks take `block_us` should stop now
  // because a periodic critical request is due in `us_until_due`.
  virtual bool should_stop_ahead(double block_us, double us_until_due) const {
    (void)block_us, (void)us_until_due;
    return false;
  }
};

std::unique_ptr<Policy> make_policy(PolicyKind kind, const GpuModel& gpu, const PolicyOptions& options = {});

}  // namespace miriam
