// Sizing the next shard of a normal kernel (a run of logical blocks of its
// sliced variant) so that it (a) fits in the block slots the critical kernels
// leave free and (b) by the profile, ends within the critical task's
// tolerable delay. With no critical work in flight shards are large.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "miriam/gpu_model.h"
#include "miriam/shard_timing.h"

namespace miriam {

struct ShardPlannerConfig {
  // Longest a shard may run while critical work is in flight (the critical
  // task's tolerable delay).
  double critical_budget_us = 100;
  // Longest a shard may run when no critical work is in flight: bounds how
  // long a newly arriving critical request finds normal blocks in its way.
  // Unset: whole remaining grid.
  std::optional<double> idle_budget_us;
  // Pad normal blocks into room left on SMs that critical blocks occupy, not
  // only into SMs the critical grid does not cover (measurements.md #3: only
  // safe with short-lived blocks, which the budget ensures).
  bool share_critical_sms = true;
  // If even the smallest shard is over budget: hold it (true) or send it anyway.
  bool hold_if_over_budget = false;
};

enum class ShardReason {
  kWholeRemaining,  // nothing critical in flight, no idle budget: all that is left
  kIdleBudget,      // nothing critical in flight; cut to the idle budget
  kFreeSlots,       // critical in flight; cut to the slots it leaves free
  kOverBudget,      // critical in flight; even one wave exceeds the budget (sent anyway)
  kNoRoom,          // hold: no free slot, or over budget with hold_if_over_budget
  kStarvationBound, // held past PolicyOptions::normal_max_hold_us: one block per SM, sent anyway
  kCriticalDue,     // cut so it ends before a periodic critical request is due
};

const char* to_string(ShardReason reason);

struct ShardDecision {
  std::uint64_t blocks = 0;          // 0: hold
  ShardReason reason = ShardReason::kNoRoom;
  std::uint64_t free_slots = 0;      // slots for this kernel's blocks left by running work
  std::optional<double> expected_us; // from the profile, when there is one
};

struct ShardRequest {
  KernelFootprint footprint;           // of the variant the shard launches
  std::uint64_t blocks_remaining = 0;  // logical blocks not yet issued
  const ShardTiming* timing = nullptr; // profile for this variant; null: none
};

class ShardPlanner {
 public:
  ShardPlanner(GpuModel gpu, ShardPlannerConfig config) : gpu_(gpu), config_(config) {}

  // `critical`: critical kernels running or queued on the GPU; `normal`:
  // normal shards/kernels already issued and not finished.
  ShardDecision plan(const ShardRequest& request, const std::vector<KernelLoad>& critical,
                     const std::vector<KernelLoad>& normal) const;

  // Block slots of `kernel` free on the whole GPU beside `running` loads.
  std::uint64_t free_slots(const KernelFootprint& kernel, const std::vector<KernelLoad>& running) const;

  const GpuModel& gpu() const { return gpu_; }
  const ShardPlannerConfig& config() const { return config_; }

 private:
  ShardDecision plan_idle(const ShardRequest& request, std::uint64_t full_slots) const;

  GpuModel gpu_;
  ShardPlannerConfig config_;
};

}  // namespace miriam
