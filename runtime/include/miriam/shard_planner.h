// Sizing the next shard of a normal kernel (a run of logical blocks of its
// sliced variant) so that it (a) fits in the block slots the critical kernels
// leave free and (b) by the profile, ends within the critical task's
// tolerable delay. With no critical work in flight shards are large. When
// the room beside a running critical kernel is too small for a full block,
// a shard of the kernel's shrunk variant (blocks of B/f threads) may fit.
#pragma once

#include <array>
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
  kShrunkRoom,      // critical in flight; no full block fits beside it, a shrunk block does
};

const char* to_string(ShardReason reason);

struct ShardDecision {
  std::uint64_t blocks = 0;          // 0: hold
  ShardReason reason = ShardReason::kNoRoom;
  std::uint64_t free_slots = 0;      // slots for this kernel's blocks left by running work
  std::optional<double> expected_us; // from the profile, when there is one
  unsigned shrink_factor = 0;        // 0: full blocks (sliced variant); f: the shrunk variant, blocks of B/f threads
};

// The shrunk variant of a normal kernel at one factor f: blocks of B/f
// threads, each physical thread running f logical ones in turn, so a block
// holds its slot about f times as long as a full block.
struct ShrunkOption {
  unsigned factor = 0;
  KernelFootprint footprint;  // of one block of B/f threads
};

// The factors a launch may use, smallest first (f = 2, 4, 8 where the
// variant and the block allow them). Fixed size: filled per decision.
struct ShrunkOptions {
  std::array<ShrunkOption, 3> options{};
  std::size_t count = 0;

  bool empty() const { return count == 0; }
  void add(unsigned factor, const KernelFootprint& footprint) {
    if (count < options.size()) options[count++] = ShrunkOption{factor, footprint};
  }
  const ShrunkOption* find(unsigned factor) const {
    for (std::size_t i = 0; i < count; ++i)
      if (options[i].factor == factor) return &options[i];
    return nullptr;
  }
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

  // Critical kernels run and leave no room for a full block of the kernel:
  // the shrunk shard with the smallest factor whose block fits the room they
  // leave, one wave of it. `full_block_us` (learned or profiled, for a full
  // block) times f must stay within the critical budget, else hold: a larger
  // factor would run longer still. Unknown block time: the wave goes out.
  ShardDecision plan_shrunk(const ShrunkOptions& shrunk, std::uint64_t blocks_remaining,
                            std::optional<double> full_block_us, const std::vector<KernelLoad>& critical,
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
